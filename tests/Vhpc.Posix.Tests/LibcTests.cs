using System.Diagnostics;
using System.Net.Sockets;
using Vhpc.Testing;

namespace Vhpc.Posix.Tests;

/// <summary>The wrappers against the real libc of this machine; nothing here needs root.</summary>
[Tier(TestTier.Unit)]
public sealed class LibcTests
{
    [Fact]
    public void The_effective_user_is_the_one_id_reports()
    {
        using var id = Process.Start(new ProcessStartInfo("id", "-u") { RedirectStandardOutput = true })!;
        var expected = id.StandardOutput.ReadToEnd().Trim();
        id.WaitForExit();
        Assert.Equal(expected, ProcessIdentity.EffectiveUserId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_sealed_memory_file_holds_the_payload_and_refuses_any_write()
    {
        byte[] payload = [1, 2, 3, 4, 5];
        using var file = SealedMemoryFile.Create("vhpc-test", payload);

        var read = new byte[16];
        Assert.Equal(5, RandomAccess.Read(file, read, 0));
        Assert.Equal(payload, read[..5]);
        // EPERM from the write seal: .NET reports it as access denied.
        Assert.Throws<UnauthorizedAccessException>(() => RandomAccess.Write(file, new byte[] { 9 }, 0));
    }

    [Fact]
    public void File_identity_of_a_descriptor_is_the_files_device_and_inode()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var stream = File.OpenRead(path);
            var identity = FileIdentity.OfDescriptor((int)stream.SafeFileHandle.DangerousGetHandle());
            using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%d %i", path]) { RedirectStandardOutput = true })!;
            var fields = stat.StandardOutput.ReadToEnd().Trim().Split(' ');
            stat.WaitForExit();

            Assert.Equal((ulong.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), ulong.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture)), identity);
            Assert.Null(FileIdentity.OfDescriptor(-1));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_FIFO_opens_without_waiting_for_a_writer_and_is_reported_as_a_FIFO()
    {
        var directory = Directory.CreateTempSubdirectory("vhpc-posix-");
        try
        {
            var fifo = Path.Combine(directory.FullName, "fifo");
            using (var mkfifo = Process.Start("mkfifo", [fifo])!)
            {
                mkfifo.WaitForExit();
                Assert.Equal(0, mkfifo.ExitCode);
            }

            using var handle = NonBlockingFile.OpenForReading(fifo, out var errno);
            Assert.False(handle.IsInvalid, $"open failed with errno {errno}");
            Assert.Equal(FileKind.Fifo, NonBlockingFile.KindOf(handle, out _));

            var file = Path.Combine(directory.FullName, "file");
            File.WriteAllText(file, "x");
            using var regular = NonBlockingFile.OpenForReading(file, out _);
            Assert.Equal(FileKind.RegularFile, NonBlockingFile.KindOf(regular, out _));

            using var device = NonBlockingFile.OpenForReading("/dev/null", out _);
            Assert.Equal(FileKind.CharacterDevice, NonBlockingFile.KindOf(device, out _));

            using var missing = NonBlockingFile.OpenForReading(Path.Combine(directory.FullName, "missing"), out errno);
            Assert.True(missing.IsInvalid);
            Assert.Equal(2 /* ENOENT */, errno);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_group_of_a_file_is_the_one_stat_reports()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%g", path]) { RedirectStandardOutput = true })!;
            var expected = uint.Parse(stat.StandardOutput.ReadToEnd().Trim(), System.Globalization.CultureInfo.InvariantCulture);
            stat.WaitForExit();
            Assert.Equal(expected, FileOwnership.GroupOf(path));
            Assert.Null(FileOwnership.GroupOf("/nonexistent-vhpc-posix/file"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Changing_the_group_of_a_missing_file_returns_errno()
    {
        Assert.Equal(2 /* ENOENT */, FileOwnership.ChangeGroup("/nonexistent-vhpc-posix/file", 0));
    }

    [Fact]
    public void A_descriptor_is_sent_as_a_datagram_and_a_missing_socket_is_an_errno()
    {
        var directory = Directory.CreateTempSubdirectory("vhpc-posix-");
        try
        {
            var path = Path.Combine(directory.FullName, "s");
            using var receiver = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            receiver.Bind(new UnixDomainSocketEndPoint(path));
            using var sender = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            using var file = SealedMemoryFile.Create("vhpc-test", [7]);

            Assert.Equal(0, UnixDatagrams.SendDescriptor(sender.SafeHandle, path, file));
            Assert.Equal(1, receiver.Available > 0 || receiver.Poll(1_000_000, SelectMode.SelectRead) ? 1 : 0);

            // Nobody listens there: sendmsg's errno comes back (ENOENT), nothing is thrown.
            Assert.Equal(2, UnixDatagrams.SendDescriptor(sender.SafeHandle, Path.Combine(directory.FullName, "none"), file));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
