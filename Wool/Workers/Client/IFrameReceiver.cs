using Wool.Workers.Protocol;

namespace Wool.Workers.Client;

/// <summary>The caller-side end of one call on a <see cref="WorkerLink"/>.</summary>
internal interface IFrameReceiver
{
    /// <summary>A frame for this call arrived. Returns whether the call is over (the frame was terminal).</summary>
    bool OnFrame(ServerFrame frame);

    /// <summary>The connection is gone; the call cannot complete.</summary>
    void OnLost(Exception reason);
}
