using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vhpc.Guests.State;

namespace Vhpc.Guests.Ssh;

/// <summary>
/// A per-cluster known_hosts file in OpenSSH's format, so that <c>ssh -o UserKnownHostsFile=</c> and
/// ansible trust exactly the keys vhpcd recorded. Reads plain and hashed (<c>|1|salt|hash</c>) host
/// patterns; writes plain ones. <c>@revoked</c> lines make a key a mismatch; <c>@cert-authority</c>
/// lines are ignored (vhpcd does not use host certificates).
/// </summary>
public sealed class KnownHostsFile
{
    // One lock per file: nodes of a cluster record their keys concurrently.
    private static readonly ConcurrentDictionary<string, object> Locks = new(StringComparer.Ordinal);

    public KnownHostsFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    /// <summary>
    /// Creates the file empty (owner-only) when it does not exist. With SSH readiness switched off no
    /// host key is recorded, and ansible-playbook with strict checking still needs the file: empty, it
    /// trusts nothing, so a real SSH host fails verification instead of being trusted blindly.
    /// </summary>
    public void EnsureExists()
    {
        lock (Locks.GetOrAdd(Path, _ => new object()))
        {
            Append("");
        }
    }

    /// <summary>The host field OpenSSH writes: "host" on port 22, "[host]:port" otherwise.</summary>
    public static string HostPattern(string host, int port) =>
        port == 22 ? host : string.Create(CultureInfo.InvariantCulture, $"[{host}]:{port}");

    /// <summary>Compares <paramref name="key"/> with the entries for host:port.</summary>
    public HostKeyVerdict Check(string host, int port, HostKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var entries = Read(host, port);
        return Judge(entries, key);
    }

    /// <summary>The key types recorded for host:port (to offer only those in key exchange).</summary>
    public IReadOnlySet<string> RecordedKeyTypes(string host, int port) =>
        Read(host, port).Where(e => !e.Revoked).Select(e => e.Key.Type).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Trust on first use: records <paramref name="key"/> when the host has no entry, under the
    /// file's lock so that a concurrent first contact cannot record a second, different key.
    /// Returns the verdict as it was before recording.
    /// </summary>
    public HostKeyVerdict CheckOrRecord(string host, int port, HostKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (Locks.GetOrAdd(Path, _ => new object()))
        {
            var verdict = Judge(Read(host, port), key);
            if (verdict.Kind == HostKeyVerdictKind.Unknown)
            {
                Append($"{HostPattern(host, port)} {key.Type} {Convert.ToBase64String(key.Blob)}\n");
            }

            return verdict;
        }
    }

    /// <summary>
    /// Removes every entry for host:port. The engine calls this when it creates a node's domain anew:
    /// a new guest has new host keys, and only then is a changed key expected.
    /// </summary>
    public int Forget(string host, int port)
    {
        lock (Locks.GetOrAdd(Path, _ => new object()))
        {
            if (!File.Exists(Path))
            {
                return 0;
            }

            var lines = File.ReadAllLines(Path);
            var kept = lines.Where(line => ParseLine(line) is not { } entry || !entry.Matches(host, port)).ToArray();
            var removed = lines.Length - kept.Length;
            if (removed > 0)
            {
                AtomicFile.Write(Path, string.Concat(kept.Select(line => line + "\n")));
            }

            return removed;
        }
    }

    private static HostKeyVerdict Judge(IReadOnlyList<Entry> entries, HostKey key)
    {
        if (entries.Any(e => e.Revoked && e.Key.Equals(key)))
        {
            return new HostKeyVerdict(HostKeyVerdictKind.Mismatch, entries.Where(e => !e.Revoked).Select(e => e.Key).ToArray());
        }

        var trusted = entries.Where(e => !e.Revoked).Select(e => e.Key).ToArray();
        if (trusted.Length == 0)
        {
            return new HostKeyVerdict(HostKeyVerdictKind.Unknown, trusted);
        }

        return trusted.Any(k => k.Equals(key))
            ? new HostKeyVerdict(HostKeyVerdictKind.Match, trusted)
            : new HostKeyVerdict(HostKeyVerdictKind.Mismatch, trusted);
    }

    private List<Entry> Read(string host, int port)
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        var result = new List<Entry>();
        foreach (var line in File.ReadLines(Path))
        {
            if (ParseLine(line) is { } entry && entry.Matches(host, port))
            {
                result.Add(entry);
            }
        }

        return result;
    }

    private void Append(string line)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("known_hosts files need Unix file modes (vhpcd runs on Linux).");
        }

        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var stream = new FileStream(Path, options);
        stream.Write(Encoding.ASCII.GetBytes(line));
        stream.Flush(flushToDisk: true);
    }

    private static Entry? ParseLine(string line)
    {
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields[0].StartsWith('#'))
        {
            return null;
        }

        var revoked = false;
        var index = 0;
        if (fields[0].StartsWith('@'))
        {
            if (fields[0] == "@revoked")
            {
                revoked = true;
            }
            else
            {
                return null;
            }

            index = 1;
        }

        if (fields.Length < index + 3)
        {
            return null;
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(fields[index + 2]);
        }
        catch (FormatException)
        {
            return null;
        }

        return new Entry(fields[index], new HostKey(fields[index + 1], blob), revoked);
    }

    private sealed record Entry(string Hosts, HostKey Key, bool Revoked)
    {
        public bool Matches(string host, int port)
        {
            var wanted = HostPattern(host, port);
            if (Hosts.StartsWith("|1|", StringComparison.Ordinal))
            {
                return HashedMatches(Hosts, wanted);
            }

            var matched = false;
            foreach (var pattern in Hosts.Split(','))
            {
                // Wildcards are not supported: vhpcd writes exact entries and must not widen trust.
                if (pattern.StartsWith('!'))
                {
                    if (string.Equals(pattern[1..], wanted, StringComparison.OrdinalIgnoreCase))
                    {
                        return false;
                    }
                }
                else if (string.Equals(pattern, wanted, StringComparison.OrdinalIgnoreCase))
                {
                    matched = true;
                }
            }

            return matched;
        }

        private static bool HashedMatches(string hashed, string wanted)
        {
            var parts = hashed.Split('|');
            if (parts.Length != 4)
            {
                return false;
            }

            try
            {
                var salt = Convert.FromBase64String(parts[2]);
                var expected = Convert.FromBase64String(parts[3]);
#pragma warning disable CA5350 // OpenSSH's hashed known_hosts format is defined as HMAC-SHA1
                var actual = HMACSHA1.HashData(salt, Encoding.ASCII.GetBytes(wanted.ToLowerInvariant()));
#pragma warning restore CA5350
                return CryptographicOperations.FixedTimeEquals(actual, expected);
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
