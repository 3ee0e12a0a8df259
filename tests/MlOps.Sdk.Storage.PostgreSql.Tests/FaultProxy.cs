using System.Net;
using System.Net.Sockets;

namespace MlOps.Sdk.Storage.PostgreSql.Tests;

/// <summary>
/// A loopback TCP proxy in front of PostgreSQL that fails the network on demand. Armed, it passes the next <c>COMMIT</c>
/// to the server and cuts the connection before the server's answer reaches the client: the commit happened and the
/// client cannot know it — the failure a retry must not turn into a second write. Severed, it drops every connection
/// and refuses new ones until resumed.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    /// <summary>A simple-protocol Query message of the text COMMIT: 'Q', length 11, "COMMIT\0".</summary>
    private static readonly byte[] Commit = [(byte)'Q', 0, 0, 0, 11, (byte)'C', (byte)'O', (byte)'M', (byte)'M', (byte)'I', (byte)'T', 0];

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _serverPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly Task _accepting;
    private readonly List<TcpClient> _open = [];
    private int _armed;
    private volatile bool _severed;

    public FaultProxy(int serverPort)
    {
        _serverPort = serverPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many commits were cut.</summary>
    public int Cuts { get; private set; }

    /// <summary>Cuts the next commit.</summary>
    public void Arm() => Interlocked.Exchange(ref _armed, 1);

    /// <summary>Drops every connection and refuses new ones until <see cref="Resume"/>.</summary>
    public void Sever()
    {
        _severed = true;
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    /// <summary>Accepts connections again.</summary>
    public void Resume() => _severed = false;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAll(pumps);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_severed)
            {
                client.Dispose();
                continue;
            }

            var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, _serverPort);
            lock (_open)
            {
                _open.Add(client);
                _open.Add(server);
            }

            lock (_pumps)
            {
                _pumps.Add(PumpAsync(client, server));
            }
        }
    }

    private async Task PumpAsync(TcpClient client, TcpClient server)
    {
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var connection = new Connection();
        var fromClient = ForwardAsync(client.GetStream(), server.GetStream(), connection, watch: true, cut);
        var fromServer = ForwardAsync(server.GetStream(), client.GetStream(), connection, watch: false, cut);
        await Task.WhenAny(fromClient, fromServer);
        await cut.CancelAsync();
        client.Dispose();
        server.Dispose();
        await Task.WhenAll(fromClient, fromServer);
    }

    private async Task ForwardAsync(NetworkStream from, NetworkStream to, Connection connection, bool watch, CancellationTokenSource cut)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, cut.Token);
                if (read == 0)
                {
                    return;
                }

                if (connection.Cutting)
                {
                    // The server's answer to the cut commit, which proves it committed: never delivered.
                    return;
                }

                var cutting = watch && buffer.AsSpan(0, read).IndexOf(Commit) >= 0 && Interlocked.Exchange(ref _armed, 0) == 1;
                connection.Cutting |= cutting;
                await to.WriteAsync(buffer.AsMemory(0, read), cut.Token);
                if (cutting)
                {
                    // The server commits and answers; the answer is dropped (above) and both sides closed.
                    Cuts++;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    private sealed class Connection
    {
        private bool _cutting;

        public bool Cutting
        {
            get => Volatile.Read(ref _cutting);
            set => Volatile.Write(ref _cutting, value);
        }
    }
}
