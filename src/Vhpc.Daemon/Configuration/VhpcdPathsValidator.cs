using System.Text;
using Microsoft.Extensions.Options;

namespace Vhpc.Daemon.Configuration;

/// <summary>Rules that look at several paths together, which data annotations cannot express.</summary>
internal sealed class VhpcdPathsValidator : IValidateOptions<VhpcdOptions>
{
    // sun_path is 108 bytes including the terminating NUL.
    private const int MaxSocketPathBytes = 107;

    public ValidateOptionsResult Validate(string? name, VhpcdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckAbsolute(nameof(VhpcdOptions.ClustersDirectory), options.ClustersDirectory, failures);
        CheckAbsolute(nameof(VhpcdOptions.StateDirectory), options.StateDirectory, failures);
        CheckAbsolute(nameof(VhpcdOptions.SocketPath), options.SocketPath, failures);
        CheckAbsolute(nameof(VhpcdOptions.PlaybookPath), options.PlaybookPath, failures);
        if (failures.Count > 0)
        {
            return ValidateOptionsResult.Fail(failures);
        }

        if (Encoding.UTF8.GetByteCount(options.SocketPath) > MaxSocketPathBytes)
        {
            failures.Add($"{VhpcdOptions.SectionName}:{nameof(VhpcdOptions.SocketPath)}: '{options.SocketPath}' is longer than the {MaxSocketPathBytes} bytes a Unix socket path may have");
        }

        if (options.SocketPath.EndsWith('/'))
        {
            failures.Add($"{VhpcdOptions.SectionName}:{nameof(VhpcdOptions.SocketPath)}: '{options.SocketPath}' names a directory, not a socket file");
        }

        var clusters = Normalize(options.ClustersDirectory);
        var state = Normalize(options.StateDirectory);
        if (IsSameOrUnder(state, clusters) || IsSameOrUnder(clusters, state))
        {
            failures.Add($"{VhpcdOptions.SectionName}:{nameof(VhpcdOptions.StateDirectory)}: '{options.StateDirectory}' and ClustersDirectory '{options.ClustersDirectory}' must not contain each other (configuration is read-only to vhpcd, state is not)");
        }

        var socketDirectory = Normalize(Path.GetDirectoryName(options.SocketPath) ?? "/");
        if (IsSameOrUnder(socketDirectory, clusters))
        {
            failures.Add($"{VhpcdOptions.SectionName}:{nameof(VhpcdOptions.SocketPath)}: '{options.SocketPath}' must not be inside ClustersDirectory '{options.ClustersDirectory}'");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckAbsolute(string field, string? path, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path))
        {
            failures.Add($"{VhpcdOptions.SectionName}:{field}: '{path}' must be an absolute path");
        }
        else if (path.Split('/').Contains(".."))
        {
            failures.Add($"{VhpcdOptions.SectionName}:{field}: '{path}' must not contain '..'");
        }
    }

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static bool IsSameOrUnder(string path, string directory) =>
        path == directory || path.StartsWith(directory + "/", StringComparison.Ordinal);
}
