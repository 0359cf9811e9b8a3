using Vhpc.Spec;

namespace Vhpc.Guests.Keys;

/// <summary>Reads and checks the key file named by the spec (on the machine running the engine).</summary>
public sealed class SpecKeyFileSource : IAuthorizedKeySource
{
    private static readonly string[] KeyTypes =
        ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"];

    public async Task<string> GetAuthorizedKeyAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var path = spec.User.SshPublicKeyFile
            ?? throw new InvalidOperationException("user.sshPublicKeyFile is not set and no cluster key source is configured");
        var info = new FileInfo(path);
        if (!info.Exists || info.Length > 16 * 1024)
        {
            throw new InvalidOperationException($"user.sshPublicKeyFile: {path} does not exist or is larger than 16 KiB");
        }

        var text = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
        return Validate(text) ?? throw new InvalidOperationException(
            $"user.sshPublicKeyFile: {path} is not one OpenSSH public key line (type base64 [comment])");
    }

    /// <summary>The key line when it is one well-formed OpenSSH public key, else null.</summary>
    public static string? Validate(string line)
    {
        if (line.Contains('\n', StringComparison.Ordinal) || line.Any(c => c is < ' ' or > '~'))
        {
            return null;
        }

        var parts = line.Split(' ', 3);
        if (parts.Length < 2 || !KeyTypes.Contains(parts[0], StringComparer.Ordinal) || parts[1].Length < 16
            || !parts[1].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '='))
        {
            return null;
        }

        try
        {
            _ = Convert.FromBase64String(parts[1]);
            return line;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
