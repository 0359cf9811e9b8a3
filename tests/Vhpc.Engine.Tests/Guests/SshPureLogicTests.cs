using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;
using Vhpc.Guests.Ssh;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Guests;

[Tier(TestTier.Unit)]
public sealed class SshPureLogicTests
{
    private static readonly SshTarget Target = new("10.203.0.11", 22, "vhpc", "/k", "/kh", "node-1.vtg.test");

    private static HostKey Key(byte seed)
    {
        using var stream = new MemoryStream();
        void Write(byte[] value)
        {
            stream.Write([(byte)(value.Length >> 24), (byte)(value.Length >> 16), (byte)(value.Length >> 8), (byte)value.Length]);
            stream.Write(value);
        }

        Write(Encoding.ASCII.GetBytes("ssh-ed25519"));
        Write(Enumerable.Repeat(seed, 32).ToArray());
        return HostKey.FromBlob(stream.ToArray());
    }

    [Fact]
    public void Known_hosts_records_on_first_use_then_matches_or_reports_a_mismatch()
    {
        using var temp = new TempDirectory("vtg-kh-");
        var file = new KnownHostsFile(temp.File("known_hosts"));

        Assert.Equal(HostKeyVerdictKind.Unknown, file.CheckOrRecord("10.203.0.11", 22, Key(1)).Kind);
        Assert.Equal(HostKeyVerdictKind.Unknown, file.CheckOrRecord("10.203.0.12", 2222, Key(2)).Kind);
        Assert.Equal(HostKeyVerdictKind.Match, file.CheckOrRecord("10.203.0.11", 22, Key(1)).Kind);
        var mismatch = file.CheckOrRecord("10.203.0.11", 22, Key(3));
        Assert.Equal(HostKeyVerdictKind.Mismatch, mismatch.Kind);
        Assert.Equal(Key(1), Assert.Single(mismatch.RecordedKeys));
        Assert.Equal(HostKeyVerdictKind.Mismatch, file.Check("10.203.0.12", 2222, Key(1)).Kind);
        Assert.Equal(HostKeyVerdictKind.Unknown, file.Check("10.203.0.12", 22, Key(2)).Kind); // other port, other host entry

        var lines = File.ReadAllLines(file.Path);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("10.203.0.11 ssh-ed25519 AAAA", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("[10.203.0.12]:2222 ssh-ed25519 AAAA", lines[1], StringComparison.Ordinal);

        Assert.Equal(1, file.Forget("10.203.0.11", 22));
        Assert.Equal(HostKeyVerdictKind.Unknown, file.Check("10.203.0.11", 22, Key(3)).Kind);
        Assert.Equal(HostKeyVerdictKind.Match, file.Check("10.203.0.12", 2222, Key(2)).Kind);
    }

    [Fact]
    public void Known_hosts_reads_hashed_entries_host_lists_and_revoked_keys()
    {
        using var temp = new TempDirectory("vtg-kh-");
        var salt = RandomNumberGenerator.GetBytes(20);
#pragma warning disable CA5350 // the format under test is HMAC-SHA1
        var hash = HMACSHA1.HashData(salt, Encoding.ASCII.GetBytes("10.203.0.11"));
#pragma warning restore CA5350
        File.WriteAllLines(temp.File("known_hosts"),
        [
            "# comment",
            $"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(hash)} ssh-ed25519 {Convert.ToBase64String(Key(1).Blob)}",
            $"other,10.203.0.13 ssh-ed25519 {Convert.ToBase64String(Key(4).Blob)}",
            $"@revoked 10.203.0.14 ssh-ed25519 {Convert.ToBase64String(Key(5).Blob)}",
            "garbage line",
        ]);
        var file = new KnownHostsFile(temp.File("known_hosts"));

        Assert.Equal(HostKeyVerdictKind.Match, file.Check("10.203.0.11", 22, Key(1)).Kind);
        Assert.Equal(HostKeyVerdictKind.Mismatch, file.Check("10.203.0.11", 22, Key(2)).Kind);
        Assert.Equal(HostKeyVerdictKind.Match, file.Check("10.203.0.13", 22, Key(4)).Kind);
        Assert.Equal(HostKeyVerdictKind.Mismatch, file.Check("10.203.0.14", 22, Key(5)).Kind);
        Assert.Equal(new HashSet<string> { "ssh-ed25519" }, file.RecordedKeyTypes("10.203.0.11", 22));
    }

    [Theory]
    [InlineData("status: done\n", 0, "status: done")]
    [InlineData("....\nstatus: done\ntime: Fri\ndetail:\nDataSourceNoCloud [seed=/dev/sr0][dsmode=net]\n", 0, "status: done (DataSourceNoCloud [seed=/dev/sr0][dsmode=net])")]
    [InlineData("...status: done\n", 0, "status: done")]
    public void Cloud_init_done_is_ready(string output, int exit, string summary) =>
        Assert.Equal(summary, CloudInitStatusCheck.Evaluate(Target, new SshCommandResult(exit, output, string.Empty)));

    [Theory]
    [InlineData("status: error\ndetail:\n('scripts-user', RuntimeError())\n", 1, "cloud-init finished with errors")]
    [InlineData("status: degraded done\n", 2, "cloud-init finished degraded (degraded done)")]
    [InlineData("status: done\n", 2, "cloud-init finished degraded (done)")]
    [InlineData("status: running\n", 0, "cloud-init did not finish (status: running)")]
    [InlineData("", 127, "cloud-init is not installed")]
    [InlineData("weird\n", 0, "cloud-init did not report a status")]
    public void Cloud_init_other_states_fail_clearly(string output, int exit, string expected)
    {
        var error = Assert.Throws<ReadinessCheckFailedException>(
            () => CloudInitStatusCheck.Evaluate(Target, new SshCommandResult(exit, output, "stderr text")));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("vhpc@10.203.0.11", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("node-1\nnode-1.vtg.test\n", true)]
    [InlineData("NODE-1\nnode-1.VTG.test\n", true)]
    [InlineData("node-1.vtg.test\nnode-1.vtg.test\n", true)]
    [InlineData("node-1\n", false)]
    [InlineData("node-1\nnode-1.other.test\n", false)]
    [InlineData("debian\ndebian.localdomain\n", false)]
    public void Hostname_must_match_short_and_fqdn(string output, bool ok)
    {
        var result = new SshCommandResult(0, output, string.Empty);
        if (ok)
        {
            Assert.StartsWith("hostname ", HostnameCheck.Evaluate(Target, result), StringComparison.Ordinal);
        }
        else
        {
            var error = Assert.Throws<ReadinessCheckFailedException>(() => HostnameCheck.Evaluate(Target, result));
            Assert.Contains("expected hostname 'node-1.vtg.test'", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Short_expected_names_need_only_the_short_hostname() =>
        Assert.Equal("hostname node-1", HostnameCheck.Evaluate(Target with { ExpectedHostname = "node-1" }, new SshCommandResult(0, "node-1\n", string.Empty)));

    [Fact]
    public void Failures_are_sorted_into_transient_and_permanent()
    {
        Assert.Equal(SshFailureKind.NotReachableYet, SshFailures.Classify(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.Equal(SshFailureKind.NotReachableYet, SshFailures.Classify(new SocketException((int)SocketError.TimedOut)));
        Assert.Equal(SshFailureKind.NotReachableYet, SshFailures.Classify(new SocketException((int)SocketError.ConnectionReset)));
        Assert.Equal(SshFailureKind.NotReachableYet, SshFailures.Classify(new SocketException((int)SocketError.HostUnreachable)));
        Assert.Equal(SshFailureKind.NotReachableYet, SshFailures.Classify(new SshOperationTimeoutException()));
        Assert.Equal(SshFailureKind.NotReachableYet, SshFailures.Classify(new SshConnectionException("aborted", DisconnectReason.ConnectionLost)));
        Assert.Equal(SshFailureKind.NotReachableYet, SshFailures.Classify(new IOException("x", new SocketException((int)SocketError.ConnectionReset))));
        Assert.Equal(SshFailureKind.AuthenticationRejected, SshFailures.Classify(new SshAuthenticationException("Permission denied (publickey).")));
        Assert.Equal(SshFailureKind.Permanent, SshFailures.Classify(new SshConnectionException("kex", DisconnectReason.KeyExchangeFailed)));
        Assert.Equal(SshFailureKind.Permanent, SshFailures.Classify(new SshConnectionException("hk", DisconnectReason.HostKeyNotVerifiable)));
        Assert.Equal(SshFailureKind.Permanent, SshFailures.Classify(new HostKeyMismatchException("changed")));
        Assert.Equal(SshFailureKind.Permanent, SshFailures.Classify(new ReadinessCheckFailedException("error")));
        Assert.Equal(SshFailureKind.Permanent, SshFailures.Classify(new SocketException((int)SocketError.AccessDenied)));
        Assert.Equal(SshFailureKind.Permanent, SshFailures.Classify(new InvalidOperationException()));
    }
}
