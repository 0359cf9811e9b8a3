using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Logging;

/// <summary>
/// A stand-in for journald: a Unix datagram socket bound in a temporary directory. Each entry it
/// receives is read as journald would: the datagram's payload, or, for an empty datagram with one
/// descriptor attached, the whole content of that (sealed) memfd.
/// </summary>
internal sealed class FakeJournal : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly Socket _socket;

    public FakeJournal()
    {
        SocketPath = _directory.Combine("journal.socket");
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(SocketPath));
    }

    public string SocketPath { get; }

    public sealed record Received(IReadOnlyList<KeyValuePair<string, byte[]>> Fields, byte[] Raw, bool ThroughMemfd, int Seals)
    {
        public string this[string name] => System.Text.Encoding.UTF8.GetString(Fields.Single(f => f.Key == name).Value);

        public bool Has(string name) => Fields.Any(f => f.Key == name);

        public IEnumerable<string> Names => Fields.Select(f => f.Key);
    }

    /// <summary>The next entry; fails the test when none arrives within 5 s.</summary>
    public Received Next()
    {
        Assert.True(_socket.Poll(TimeSpan.FromSeconds(5), SelectMode.SelectRead), "the fake journal received nothing within 5 s");
        var (payload, descriptor) = FakeJournalNative.Receive(_socket.SafeHandle, 1 << 20);
        if (descriptor < 0)
        {
            return new Received(JournalWireParser.Parse(payload), payload, false, 0);
        }

        Assert.Empty(payload); // the protocol allows a payload or a descriptor, never both
        using var memfd = new SafeFileHandle(descriptor, ownsHandle: true);
        var seals = FakeJournalNative.Fcntl(memfd, FakeJournalNative.FGetSeals, 0);
        var content = new byte[RandomAccess.GetLength(memfd)];
        Assert.Equal(content.Length, RandomAccess.Read(memfd, content, 0));
        return new Received(JournalWireParser.Parse(content), content, true, seals);
    }

    /// <summary>True when no further datagram is waiting.</summary>
    public bool IsEmpty => !_socket.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead);

    public void Dispose()
    {
        _socket.Dispose();
        _directory.Dispose();
    }
}
