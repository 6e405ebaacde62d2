using Google.Protobuf;
using Wool.Routines;

namespace Wool.Workers.Protocol;

/// <summary>The protocol version and the mapping between Wool's call model and protobuf frames.</summary>
internal static class WireProtocol
{
    /// <summary>The version this build speaks (see <see cref="WireVersion"/>).</summary>
    public const uint Version = WireVersion.Current;

    /// <summary>How many routines a connection may number (<c>routine_ref</c>); later ones are named in full on every call.</summary>
    public const int MaxRoutineRefs = 4096;

    /// <summary>
    /// The gRPC message limit for a value limit: a batch holds up to 1 MiB of frames and then one
    /// more, which may carry a value at the limit and the caller's context values beside it.
    /// </summary>
    public static int MessageLimit(int maxValueSize) => (2 * maxValueSize) + (2 * 1024 * 1024);

    /// <summary>Response header with which a worker's service says it accepted a call channel (a refusal before the service has none).</summary>
    public const string AcceptedHeader = "wool-accepted";

    /// <summary>Request header of the call channel that carries the caller's protocol version.</summary>
    public const string VersionHeader = "wool-protocol";

    /// <summary>The line a worker prints on stdout once it serves: <c>WOOL-WORKER-READY &lt;address&gt;</c>.</summary>
    public const string ReadyLine = "WOOL-WORKER-READY ";

    /// <param name="request">The call.</param>
    /// <param name="acceptDeadline">When the worker must have taken the call (a dispatch timeout).</param>
    /// <param name="routineRef">The connection's number for the routine (0: none).</param>
    /// <param name="named">Whether to name the routine in full (always, without a number; once per number otherwise).</param>
    private static Call ToCall(RoutineRequest request, DateTimeOffset? acceptDeadline = null, uint routineRef = 0, bool named = true)
    {
        var call = new Call
        {
            Protocol = Version,
            RoutineRef = routineRef,
            Payload = UnsafeByteOperations.UnsafeWrap(request.Payload),
        };
        if (named || routineRef == 0)
        {
            call.Assembly = request.AssemblyName;
            call.Routine = request.RoutineId;
            call.ModuleVersionId = UnsafeByteOperations.UnsafeWrap(request.ModuleVersionId.ToByteArray());
            if (request.TypeArguments is { } typeArguments)
            {
                call.TypeArguments.AddRange(typeArguments);
            }
        }

        if (acceptDeadline is { } deadline)
        {
            call.AcceptDeadlineUnixMs = deadline.ToUnixTimeMilliseconds();
        }

        TraceFrames.Write(call);
        return call;
    }

    /// <summary>A frame carrying a call (or an opened stream) and the caller's context values.</summary>
    public static ClientFrame ToFrame(ulong id, RoutineRequest request, bool streaming, DateTimeOffset? acceptDeadline = null, uint routineRef = 0, bool named = true)
    {
        var frame = new ClientFrame { Id = id };
        Call call = ToCall(request, acceptDeadline, routineRef, named);
        if (streaming)
        {
            frame.OpenStream = call;
        }
        else
        {
            frame.Call = call;
        }

        ContextFrames.Write(frame.Context, request.Context);
        return frame;
    }

    /// <summary>The refusal of a call for another build of its assembly than the one this process runs; null when the build is the same (or unknown here).</summary>
    public static Rejection? OtherBuild(Call call)
    {
        if (call.ModuleVersionId.Length != 16)
        {
            return null;
        }

        var wanted = new Guid(call.ModuleVersionId.Span);
        return Routines.RoutineRegistry.OtherBuild(call.Assembly, wanted) is { } here
            ? new Rejection
            {
                Reason = $"it runs build {Routines.BuildNames.Short(here)} of {Routines.BuildNames.Application(call.Assembly)}, not the caller's {Routines.BuildNames.Short(wanted)}",
                Transient = true,
                Build = UnsafeByteOperations.UnsafeWrap(here.ToByteArray()),
            }
            : null;
    }

    public static RoutineRequest ToRequest(Call call, ClientFrame frame)
    {
        Guid moduleVersionId = call.ModuleVersionId.Length == 16 ? new Guid(call.ModuleVersionId.Span) : Guid.Empty;
        string[]? typeArguments = call.TypeArguments.Count == 0 ? null : [.. call.TypeArguments];
        return new RoutineRequest(call.Assembly, call.Routine, moduleVersionId, typeArguments, call.Payload.Memory, ContextFrames.Read(frame.Context));
    }

    public static ServerFrame ToFrame(ulong id, RoutineReply reply)
    {
        var frame = new ServerFrame { Id = id };
        switch (reply.Kind)
        {
            case RoutineReplyKind.Value:
                frame.Value = UnsafeByteOperations.UnsafeWrap(reply.Payload);
                break;
            case RoutineReplyKind.Exception:
                frame.Exception = UnsafeByteOperations.UnsafeWrap(reply.Payload);
                break;
            default:
                frame.Completed = true;
                break;
        }

        return frame;
    }

    /// <summary>The reply a frame carries, or null for a rejection (handled by the caller of this method).</summary>
    public static RoutineReply ToReply(ServerFrame frame) => frame.KindCase switch
    {
        ServerFrame.KindOneofCase.Value => RoutineReply.Value(frame.Value.Memory),
        ServerFrame.KindOneofCase.Exception => RoutineReply.Exception(frame.Exception.Memory),
        _ => RoutineReply.Completed,
    };
}
