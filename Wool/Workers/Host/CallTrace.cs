using System.Diagnostics;

namespace Wool.Workers.Host;

/// <summary>The trace context a call carried (its caller's span and baggage), handed from the connection's read loop to the call's own flow.</summary>
internal readonly record struct CallTrace(ActivityContext Parent, string? Baggage);
