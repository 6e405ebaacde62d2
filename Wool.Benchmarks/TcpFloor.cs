using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Wool.Benchmarks;

/// <summary>
/// The transport's limit on this machine: a raw TCP echo server in its own process, and a client
/// whose concurrent calls share one connection, pipelined. A frame is a 4-byte length, then the
/// payload (a 4-byte call id first); the server echoes every complete frame it has read in one write,
/// and the client writes every frame that is ready in one write, as Wool batches its frames.
/// </summary>
internal sealed class TcpFloor : IAsyncDisposable
{
    public const string ReadyLine = "TCP-FLOOR-READY ";

    private readonly Process _server;
    private readonly Socket _socket;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly Channel<(int Id, int Size)> _outbox = Channel.CreateUnbounded<(int, int)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _waiting = new();
    private readonly Task _writing;
    private readonly Task _reading;
    private int _nextId;

    private TcpFloor(Process server, Socket socket)
    {
        _server = server;
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(stream);
        _writer = PipeWriter.Create(stream);
        _writing = WriteLoopAsync();
        _reading = ReadLoopAsync();
    }

    /// <summary>Starts the server process and connects to it.</summary>
    public static async Task<TcpFloor> StartAsync()
    {
        var server = Process.Start(ThisProgram.StartInfo("--tcp-floor-server"))!;
        string line = (await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)))!;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPEndPoint.Parse(line[ReadyLine.Length..]));
        return new TcpFloor(server, socket);
    }

    /// <summary>One call: a frame of <paramref name="size"/> bytes there and back.</summary>
    public Task CallAsync(int size)
    {
        int id = Interlocked.Increment(ref _nextId);
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answered;
        _outbox.Writer.TryWrite((id, Math.Max(4, size)));
        return answered.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _outbox.Writer.TryComplete();
        await _writing;
        _socket.Shutdown(SocketShutdown.Both);
        await _reading.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
        _server.StandardInput.Close();
        await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _server.Dispose();
    }

    /// <summary>The server: echoes frames on each connection until its stdin closes.</summary>
    public static async Task<int> ServeAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        Console.WriteLine(ReadyLine + listener.LocalEndPoint);
        using var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            await Console.In.ReadToEndAsync();
            await stop.CancelAsync();
        });
        try
        {
            while (true)
            {
                Socket connection = await listener.AcceptAsync(stop.Token);
                connection.NoDelay = true;
                _ = EchoAsync(connection);
            }
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
    }

    private static async Task EchoAsync(Socket connection)
    {
        using (connection)
        {
            var stream = new NetworkStream(connection, ownsSocket: false);
            PipeReader reader = PipeReader.Create(stream);
            PipeWriter writer = PipeWriter.Create(stream);
            try
            {
                while (true)
                {
                    ReadResult read = await reader.ReadAsync();
                    ReadOnlySequence<byte> buffer = read.Buffer;
                    long complete = CompleteFrames(buffer);
                    foreach (ReadOnlyMemory<byte> segment in buffer.Slice(0, complete))
                    {
                        writer.Write(segment.Span);
                    }

                    reader.AdvanceTo(buffer.GetPosition(complete), buffer.End);
                    await writer.FlushAsync();
                    if (read.IsCompleted)
                    {
                        return;
                    }
                }
            }
            catch (IOException)
            {
                // The client went away.
            }
        }
    }

    /// <summary>How many bytes of <paramref name="buffer"/> are whole frames.</summary>
    private static long CompleteFrames(ReadOnlySequence<byte> buffer)
    {
        var frames = new SequenceReader<byte>(buffer);
        long complete = 0;
        while (frames.TryReadLittleEndian(out int length) && frames.Remaining >= length)
        {
            frames.Advance(length);
            complete = frames.Consumed;
        }

        return complete;
    }

    private async Task WriteLoopAsync()
    {
        while (await _outbox.Reader.WaitToReadAsync())
        {
            while (_outbox.Reader.TryRead(out (int Id, int Size) call))
            {
                Span<byte> frame = _writer.GetSpan(4 + call.Size);
                BinaryPrimitives.WriteInt32LittleEndian(frame, call.Size);
                BinaryPrimitives.WriteInt32LittleEndian(frame[4..], call.Id);
                frame.Slice(8, call.Size - 4).Clear();
                _writer.Advance(4 + call.Size);
            }

            await _writer.FlushAsync();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                ReadResult read = await _reader.ReadAsync();
                ReadOnlySequence<byte> buffer = read.Buffer;
                var frames = new SequenceReader<byte>(buffer);
                while (frames.Remaining >= 8 && frames.TryReadLittleEndian(out int length))
                {
                    if (frames.Remaining < length)
                    {
                        frames.Rewind(4);
                        break;
                    }

                    frames.TryReadLittleEndian(out int id);
                    frames.Advance(length - 4);
                    if (_waiting.TryRemove(id, out TaskCompletionSource? answered))
                    {
                        answered.TrySetResult();
                    }
                }

                _reader.AdvanceTo(frames.Position, buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Closed.
        }
    }
}
