using System.Security.Cryptography;
using System.Text;

namespace Vhpc.Ansible;

/// <summary>
/// The roles hash of a configuration record: what a node's configuration depends on besides the spec.
/// That is every file of the playbook's directory (site.yml, roles, library, plugins; not the README
/// or Python caches) and the identity of the cluster's munge key and database password (a new key
/// must reach every node). Secrets enter only through a SHA-256 of their content, never as text.
/// Reading the tree costs milliseconds, so an apply computes it every time instead of trusting
/// timestamps.
/// </summary>
internal static class RolesDigest
{
    public static string Of(string playbookPath, IEnumerable<string> secretFiles)
    {
        ArgumentException.ThrowIfNullOrEmpty(playbookPath);
        ArgumentNullException.ThrowIfNull(secretFiles);
        var root = Path.GetDirectoryName(Path.GetFullPath(playbookPath))!;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.None })
            .Select(f => Path.GetRelativePath(root, f))
            .Where(IsPartOfTheConfiguration)
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            Append(hash, "file:" + file.Replace('\\', '/'));
            var content = File.ReadAllBytes(Path.Combine(root, file));
            Append(hash, content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            hash.AppendData(content);
        }

        foreach (var secret in secretFiles)
        {
            Append(hash, "secret:" + (File.Exists(secret) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(secret))) : "missing"));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }

    private static bool IsPartOfTheConfiguration(string relative) =>
        !relative.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
        && !relative.EndsWith(".pyc", StringComparison.Ordinal)
        && !relative.Split(Path.DirectorySeparatorChar).Any(part => part is "__pycache__" || part.StartsWith('.'));

    private static void Append(IncrementalHash hash, string text)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(text));
        hash.AppendData([0]);
    }
}
