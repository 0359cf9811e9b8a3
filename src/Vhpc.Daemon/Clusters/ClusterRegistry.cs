using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Daemon.Configuration;

namespace Vhpc.Daemon.Clusters;

/// <summary>
/// The cluster files of clusters.d as vhpcd last read them. <see cref="Reload"/> picks up added, changed
/// and removed files; a file with errors keeps its previous good spec.
/// </summary>
internal sealed class ClusterRegistry
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IClusterSpecReader _reader;
    private readonly VhpcdOptions _options;
    private readonly ILogger<ClusterRegistry> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Dictionary<string, ClusterEntry> _entries = new(StringComparer.Ordinal);

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
        lock (_gate)
        {
            var directory = _options.ClustersDirectory;
            Log.ReloadRequested(_logger, directory);
            var files = Directory.Exists(directory)
                ? Directory.EnumerateFiles(directory)
                    .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                    .Where(f => !Path.GetFileName(f).StartsWith('.'))
                    .Order(StringComparer.Ordinal)
                    .ToList()
                : [];
            if (!Directory.Exists(directory))
            {
                Log.ClusterDirectoryMissing(_logger, directory);
            }

            var next = new Dictionary<string, ClusterEntry>(StringComparer.Ordinal);
            int added = 0, changed = 0, invalid = 0, unchanged = 0;
            foreach (var file in files)
            {
                _entries.TryGetValue(file, out var previous);
                var entry = ReadFile(file, previous, next);
                next[file] = entry;
                if (entry.Errors.Count > 0)
                {
                    invalid++;
                }

                if (previous is null)
                {
                    added++;
                }
                else if (ReferenceEquals(previous, entry))
                {
                    unchanged++;
                }
                else
                {
                    changed++;
                }
            }

            var removed = 0;
            foreach (var gone in _entries.Values.Where(e => !next.ContainsKey(e.File)))
            {
                removed++;
                Log.ClusterRemoved(_logger, gone.Name ?? Path.GetFileName(gone.File), gone.File);
            }

            _entries = next;
            var loaded = next.Values.Count(e => e.Spec is not null);
            Log.ReloadCompleted(_logger, loaded, added, changed, removed, invalid);
            return new ReloadSummary(added, changed, removed, invalid, unchanged) { Loaded = loaded };
        }
    }

    private ClusterEntry ReadFile(string file, ClusterEntry? previous, Dictionary<string, ClusterEntry> others)
    {
        var now = _time.GetUtcNow();
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Rejected(file, previous, $"{file}: cannot read: {ex.Message}", hash: "", now);
        }

        var hash = Convert.ToHexString(SHA256.HashData(bytes));
        if (previous is not null && previous.ContentHash == hash && !ConflictsWith(previous, others))
        {
            return previous;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Rejected(file, previous, $"{file}:1:1: (file): not valid UTF-8", hash, now);
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
            return Rejected(file, previous, $"{file}:1:1: (file): could not be read: {ex.Message}", hash, now);
        }

        if (result.Spec is null || result.Errors.Count > 0)
        {
            return Rejected(file, previous, result.Errors.Count > 0 ? result.Errors : [$"{file}:1:1: (file): no cluster in file"], hash, now);
        }

        var spec = result.Spec with { SourcePath = file };
        var owner = others.Values.FirstOrDefault(e => string.Equals(e.Name, spec.Name, StringComparison.Ordinal));
        if (owner is not null)
        {
            return Rejected(file, previous, $"{file}:1:1: name: cluster '{spec.Name}' is already defined by {owner.File}", hash, now);
        }

        Log.ClusterLoaded(_logger, spec.Name, file, spec.Management.Count, spec.Workers.Count, string.Join(", ", spec.LibvirtHosts.Select(h => h.Connect)));
        return new ClusterEntry(file, spec, [], hash, now);
    }

    private static bool ConflictsWith(ClusterEntry entry, Dictionary<string, ClusterEntry> others) =>
        entry.Name is not null && others.Values.Any(e => string.Equals(e.Name, entry.Name, StringComparison.Ordinal));

    private ClusterEntry Rejected(string file, ClusterEntry? previous, string error, string hash, DateTimeOffset now) =>
        Rejected(file, previous, [error], hash, now);

    private ClusterEntry Rejected(string file, ClusterEntry? previous, IReadOnlyList<string> errors, string hash, DateTimeOffset now)
    {
        var outcome = previous?.Spec is { } kept
            ? $"keeping the previous good version of cluster {kept.Name}"
            : "the file is not loaded";
        Log.ClusterFileInvalid(_logger, file, errors.Count, outcome);
        foreach (var error in errors)
        {
            Log.ClusterFileError(_logger, error);
        }

        return new ClusterEntry(file, previous?.Spec, errors, hash, now);
    }
}
