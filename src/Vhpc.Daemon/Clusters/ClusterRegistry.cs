using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Daemon.Configuration;
using Vhpc.Spec;

namespace Vhpc.Daemon.Clusters;

/// <summary>
/// The cluster files of clusters.d as vhpcd last read them. <see cref="Reload"/> picks up added, changed
/// and removed files; a file with errors keeps its previous good spec. A cluster name belongs to the
/// file that had it: a newcomer declaring a loaded name is refused, whatever the file names' order.
/// Reading and parsing happen outside the lock that guards the entries, so no file (however slow)
/// holds up a command; the lock only covers swapping in the new result.
/// </summary>
internal sealed class ClusterRegistry
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IClusterSpecReader _reader;
    private readonly VhpcdOptions _options;
    private readonly ILogger<ClusterRegistry> _logger;
    private readonly TimeProvider _time;

    /// <summary>Guards <see cref="_entries"/>; held only to read or replace the dictionary, never over I/O.</summary>
    private readonly Lock _gate = new();

    /// <summary>One reload at a time (SIGHUP and start-up); commands never take it.</summary>
    private readonly Lock _reloading = new();

    private Dictionary<string, ClusterEntry> _entries = new(StringComparer.Ordinal);

    /// <summary>The last reading of each file, so that unchanged content is not parsed again. Only reloads use it.</summary>
    private Dictionary<string, FileReading> _readings = new(StringComparer.Ordinal);

    public ClusterRegistry(IClusterSpecReader reader, IOptions<VhpcdOptions> options, ILogger<ClusterRegistry> logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reader = reader;
        _options = options.Value;
        _logger = logger;
        _time = time;
    }

    /// <summary>Every file, sorted by path.</summary>
    public IReadOnlyList<ClusterEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Values.OrderBy(e => e.File, StringComparer.Ordinal)];
            }
        }
    }

    public ClusterEntry? FindByName(string name)
    {
        lock (_gate)
        {
            return _entries.Values.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.Ordinal))
                ?? _entries.Values.FirstOrDefault(e => e.Spec is null && string.Equals(Path.GetFileNameWithoutExtension(e.File), name, StringComparison.Ordinal));
        }
    }

    public ReloadSummary Reload()
    {
        lock (_reloading)
        {
            var directory = _options.ClustersDirectory;
            Log.ReloadRequested(_logger, directory);
            var files = ListClusterFiles(directory);
            var readings = new Dictionary<string, FileReading>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                readings[file] = Read(file, _readings.GetValueOrDefault(file));
            }

            _readings = readings;
            Dictionary<string, ClusterEntry> previous;
            lock (_gate)
            {
                previous = _entries;
            }

            var claims = ResolveNames(files, readings, previous, out var conflicts);
            var now = _time.GetUtcNow();
            var next = new Dictionary<string, ClusterEntry>(StringComparer.Ordinal);
            int added = 0, changed = 0, invalid = 0, unchanged = 0;
            foreach (var file in files)
            {
                var reading = readings[file];
                var spec = claims[file];
                var errors = conflicts.TryGetValue(file, out var conflict) ? [.. reading.Errors, conflict] : reading.Errors;
                previous.TryGetValue(file, out var before);
                var entry = before is not null && before.ContentHash == reading.Hash && ReferenceEquals(before.Spec, spec) && before.Errors.SequenceEqual(errors)
                    ? before
                    : new ClusterEntry(file, spec, errors, reading.Hash, now);
                next[file] = entry;
                invalid += errors.Count > 0 ? 1 : 0;
                if (before is null)
                {
                    added++;
                }
                else if (ReferenceEquals(before, entry))
                {
                    unchanged++;
                    continue;
                }
                else
                {
                    changed++;
                }

                LogOutcome(entry, before);
            }

            var removed = 0;
            foreach (var gone in previous.Values.Where(e => !next.ContainsKey(e.File)))
            {
                removed++;
                Log.ClusterRemoved(_logger, gone.Name ?? Path.GetFileName(gone.File), gone.File);
            }

            lock (_gate)
            {
                _entries = next;
            }

            var loaded = next.Values.Count(e => e.Spec is not null);
            Log.ReloadCompleted(_logger, loaded, added, changed, removed, invalid);
            return new ReloadSummary(added, changed, removed, invalid, unchanged) { Loaded = loaded };
        }
    }

    private List<string> ListClusterFiles(string directory)
    {
        if (!Directory.Exists(directory))
        {
            Log.ClusterDirectoryMissing(_logger, directory);
            return [];
        }

        return [.. Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Which spec each file holds after this reload. A file asks for its own valid spec or, with errors,
    /// for the last good version it had. When several ask for one name, the file that held the name
    /// keeps it (or, when none did, the first by file name); the others are refused with a conflict
    /// error and fall back to the good version they had under another name, if any. A holder's own
    /// fallback can never be refused (it is the name it held), so this settles in a few passes.
    /// </summary>
    private static Dictionary<string, ClusterSpec?> ResolveNames(
        List<string> files, Dictionary<string, FileReading> readings, Dictionary<string, ClusterEntry> previous, out Dictionary<string, string> conflicts)
    {
        var claims = files.ToDictionary(f => f, f => readings[f].Spec ?? previous.GetValueOrDefault(f)?.Spec, StringComparer.Ordinal);
        conflicts = new Dictionary<string, string>(StringComparer.Ordinal);
        bool refusedAny;
        do
        {
            refusedAny = false;
            var contested = claims
                .Where(c => c.Value is not null)
                .GroupBy(c => c.Value!.Name, StringComparer.Ordinal)
                .Where(g => g.Count() > 1)
                .Select(g => (Name: g.Key, Files: g.Select(c => c.Key).Order(StringComparer.Ordinal).ToList()))
                .ToList();
            foreach (var (name, claimants) in contested)
            {
                var holder = claimants.FirstOrDefault(f => string.Equals(previous.GetValueOrDefault(f)?.Name, name, StringComparison.Ordinal))
                    ?? claimants[0];
                foreach (var file in claimants.Where(f => f != holder))
                {
                    conflicts.TryAdd(file, $"{file}:1:1: name: cluster '{name}' is already defined by {holder}");
                    var fallback = previous.GetValueOrDefault(file)?.Spec;
                    claims[file] = fallback is not null && !string.Equals(fallback.Name, name, StringComparison.Ordinal) ? fallback : null;
                    refusedAny = true;
                }
            }
        }
        while (refusedAny);

        return claims;
    }

    private FileReading Read(string file, FileReading? last)
    {
        var content = ClusterFileContent.Read(file, ClusterSpecLoader.MaxFileBytes);
        if (content.Bytes is not { } bytes)
        {
            return new FileReading("", null, [$"{file}:1:1: (file): {content.Error}"]);
        }

        var hash = Convert.ToHexString(SHA256.HashData(bytes));
        if (last is not null && last.Hash == hash)
        {
            return last;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return new FileReading(hash, null, [$"{file}:1:1: (file): not valid UTF-8"]);
        }

        ClusterSpecReadResult result;
        try
        {
            result = _reader.Read(file, text);
        }
#pragma warning disable CA1031 // A loader bug on one file must not take the others (or the daemon) down.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new FileReading(hash, null, [$"{file}:1:1: (file): could not be read: {ex.Message}"]);
        }

        if (result.Spec is null || result.Errors.Count > 0)
        {
            return new FileReading(hash, null, result.Errors.Count > 0 ? result.Errors : [$"{file}:1:1: (file): no cluster in file"]);
        }

        return new FileReading(hash, result.Spec with { SourcePath = file }, []);
    }

    private void LogOutcome(ClusterEntry entry, ClusterEntry? before)
    {
        if (entry.Errors.Count > 0)
        {
            var outcome = entry.Spec is { } kept
                ? $"keeping the previous good version of cluster {kept.Name}"
                : "the file is not loaded";
            Log.ClusterFileInvalid(_logger, entry.File, entry.Errors.Count, outcome);
            foreach (var error in entry.Errors)
            {
                Log.ClusterFileError(_logger, error);
            }
        }
        else if (entry.Spec is { } spec && !ReferenceEquals(spec, before?.Spec))
        {
            Log.ClusterLoaded(_logger, spec.Name, entry.File, spec.Management.Count, spec.Workers.Count, spec.LibvirtUris);
        }
    }

    /// <summary>One file's content hash and what it parsed to: a valid spec, or its errors.</summary>
    private sealed record FileReading(string Hash, ClusterSpec? Spec, IReadOnlyList<string> Errors);
}
