using Microsoft.Extensions.Logging;
using Renci.SshNet;

namespace Vhpc.Guests.Ssh;

/// <summary>
/// SSH.NET connections authenticated with the cluster key, with host keys checked against the
/// cluster's known_hosts: recorded at first contact, compared on every later connection.
/// </summary>
internal sealed class SshNetConnector(SshConnectOptions options, ILogger<SshNetConnector> logger) : ISshConnector
{
    public async Task<ISshSession> ConnectAsync(SshTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var knownHosts = new KnownHostsFile(target.KnownHostsPath);
        using var keyFile = new PrivateKeyFile(target.PrivateKeyPath);
        var connectionInfo = new ConnectionInfo(target.Host, target.Port, target.User,
            new PrivateKeyAuthenticationMethod(target.User, keyFile))
        {
            Timeout = options.ConnectTimeout,
        };
        OfferOnlyRecordedKeyTypes(connectionInfo, knownHosts.RecordedKeyTypes(target.Host, target.Port));

        var client = new SshClient(connectionInfo) { KeepAliveInterval = options.KeepAliveInterval };
        HostKeyMismatchException? mismatch = null;
        client.HostKeyReceived += (_, e) =>
        {
            var offered = HostKey.FromBlob(e.HostKey);
            var verdict = knownHosts.CheckOrRecord(target.Host, target.Port, offered);
            switch (verdict.Kind)
            {
                case HostKeyVerdictKind.Unknown:
                    Log.HostKeyRecorded(logger, target.Host, target.Port, offered.Type, offered.Fingerprint, knownHosts.Path);
                    e.CanTrust = true;
                    break;
                case HostKeyVerdictKind.Match:
                    e.CanTrust = true;
                    break;
                default:
                    mismatch = new HostKeyMismatchException(target, offered, verdict.RecordedKeys);
                    Log.HostKeyMismatch(logger, target.Host, target.Port, offered.Fingerprint, knownHosts.Path);
                    e.CanTrust = false;
                    break;
            }
        };

        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (mismatch is not null)
        {
            client.Dispose();
            throw mismatch;
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return new SshNetSession(target, client);
    }

    /// <summary>
    /// Once a host is known, negotiate only the key types recorded for it: a server with several
    /// host keys would otherwise look "changed" whenever a different type got negotiated.
    /// Certificate types are never offered: vhpcd does not use host certificates.
    /// </summary>
    private static void OfferOnlyRecordedKeyTypes(ConnectionInfo connectionInfo, IReadOnlySet<string> recorded)
    {
        var algorithms = connectionInfo.HostKeyAlgorithms;
        foreach (var name in algorithms.Keys.ToArray())
        {
            if (name.Contains("-cert-", StringComparison.Ordinal))
            {
                algorithms.Remove(name);
            }
        }

        if (recorded.Count == 0 || !algorithms.Keys.Any(name => recorded.Contains(KeyTypeOf(name))))
        {
            return;
        }

        foreach (var name in algorithms.Keys.ToArray())
        {
            if (!recorded.Contains(KeyTypeOf(name)))
            {
                algorithms.Remove(name);
            }
        }
    }

    /// <summary>Host key algorithm name to the key type stored in known_hosts.</summary>
    internal static string KeyTypeOf(string algorithm) => algorithm switch
    {
        "rsa-sha2-512" or "rsa-sha2-256" => "ssh-rsa",
        _ => algorithm,
    };

    private sealed class SshNetSession(SshTarget target, SshClient client) : ISshSession
    {
        public SshTarget Target { get; } = target;

        public async Task<SshCommandResult> RunAsync(string command, CancellationToken cancellationToken)
        {
            ArgumentException.ThrowIfNullOrEmpty(command);
            using var sshCommand = client.CreateCommand(command);
            await sshCommand.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return new SshCommandResult(sshCommand.ExitStatus, sshCommand.Result, sshCommand.Error);
        }

        public void Dispose() => client.Dispose();
    }
}
