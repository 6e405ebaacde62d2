using Google.Protobuf;
using Wool.Routines;
using Wool.Workers.Protocol;

namespace Wool.Workers.Client;

/// <summary>The caller's answers, on a connection, to a routine pulling its streamed arguments.</summary>
internal static class ArgumentFrames
{
    public static void Serve(ArgumentStreamServer? server, WorkerLink connection, ulong id, ServerFrame frame)
    {
        if (frame.KindCase == ServerFrame.KindOneofCase.ArgumentClose)
        {
            if (server is not null)
            {
                _ = server.CloseAsync(frame.ArgumentClose).AsTask();
            }

            return;
        }

        _ = AnswerAsync(server, connection, id, frame.ArgumentPull);
    }

    private static async Task AnswerAsync(ArgumentStreamServer? server, WorkerLink connection, ulong id, uint slot)
    {
        RoutineReply reply = server is null ? RoutineReply.Completed : await server.NextAsync(slot).ConfigureAwait(false);
        connection.TrySend(reply.Kind switch
        {
            RoutineReplyKind.Value => new ClientFrame { Id = id, ArgumentItem = new ArgumentItem { Slot = slot, Value = UnsafeByteOperations.UnsafeWrap(reply.Payload) } },
            RoutineReplyKind.Exception => new ClientFrame { Id = id, ArgumentEnd = new ArgumentEnd { Slot = slot, Exception = UnsafeByteOperations.UnsafeWrap(reply.Payload) } },
            _ => new ClientFrame { Id = id, ArgumentEnd = new ArgumentEnd { Slot = slot } },
        });
    }
}
