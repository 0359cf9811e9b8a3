using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;

namespace Vhpc.Guests.Keys;

/// <summary>
/// A cluster's SSH key pair on disk: the private key (owner-only) and its OpenSSH public key line.
/// The key is ECDSA P-256 written as a SEC1 PEM ("EC PRIVATE KEY"): System.Security.Cryptography
/// produces it without extra libraries, and both SSH.NET and OpenSSH (ssh, ansible) read it.
/// </summary>
internal sealed class ClusterKeyPair
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly Lock Gate = new();

    private ClusterKeyPair(string privateKeyPath, string publicKeyPath, string publicKey, string fingerprint)
    {
        PrivateKeyPath = privateKeyPath;
        PublicKeyPath = publicKeyPath;
        PublicKey = publicKey;
        Fingerprint = fingerprint;
    }

    public string PrivateKeyPath { get; }

    public string PublicKeyPath { get; }

    /// <summary>One authorized_keys line: "ecdsa-sha2-nistp256 AAAA... comment".</summary>
    public string PublicKey { get; }

    /// <summary>"SHA256:..." as ssh-keygen -l prints it; safe to log.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// Returns the key pair in <paramref name="stateDirectory"/>, generating it the first time.
    /// An existing private key is reused (a restart must not lock vhpcd out of running guests); its
    /// public key file is rewritten from it when missing, so a crash between the two writes heals.
    /// </summary>
    public static ClusterKeyPair Ensure(string stateDirectory, string comment, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        ArgumentException.ThrowIfNullOrEmpty(comment);
        ArgumentNullException.ThrowIfNull(logger);
        if (comment.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("The key comment must be one line.", nameof(comment));
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Cluster key files need Unix file modes (vhpcd runs on Linux).");
        }

        // One caller at a time: the seeds of a cluster's hosts are made in parallel and each asks for the
        // key; two that both found none each wrote one, and one host's nodes got a key vhpcd no longer had.
        // (A create-if-absent through File.Move without overwrite lost that race too: on Linux it checks, then renames.)
        lock (Gate)
        {
            return EnsureLocked(stateDirectory, comment, logger);
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static ClusterKeyPair EnsureLocked(string stateDirectory, string comment, ILogger logger)
    {
        Directory.CreateDirectory(stateDirectory, OwnerOnlyDirectory);
        var privatePath = Path.Combine(stateDirectory, ClusterStateDirectory.PrivateKeyFileName);
        var publicPath = Path.Combine(stateDirectory, ClusterStateDirectory.PublicKeyFileName);

        using var key = ECDsa.Create();
        bool generated;
        if (File.Exists(privatePath))
        {
            RequireOwnerOnly(privatePath);
            key.ImportFromPem(File.ReadAllText(privatePath));
            if (key.KeySize != 256)
            {
                throw new InvalidDataException($"{privatePath}: expected an ECDSA P-256 key written by vhpcd.");
            }

            generated = false;
        }
        else
        {
            key.GenerateKey(ECCurve.NamedCurves.nistP256);
            // 0600 from the first byte: no moment in which the key is readable by others.
            AtomicFile.Write(privatePath, key.ExportECPrivateKeyPem() + "\n", OwnerReadWrite);
            generated = true;
        }

        var blob = OpenSshPublicKeyBlob(key);
        var publicKey = $"ecdsa-sha2-nistp256 {Convert.ToBase64String(blob)} {comment}";
        var fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
        if (!File.Exists(publicPath) || File.ReadAllText(publicPath).Trim() != publicKey)
        {
            AtomicFile.Write(publicPath, publicKey + "\n", OwnerReadWrite);
        }

        if (generated)
        {
            Log.KeyPairGenerated(logger, stateDirectory, fingerprint);
        }
        else
        {
            Log.KeyPairReused(logger, stateDirectory, fingerprint);
        }

        return new ClusterKeyPair(privatePath, publicPath, publicKey, fingerprint);
    }

    /// <summary>The SSH wire form: string "ecdsa-sha2-nistp256", string "nistp256", string Q (0x04 || X || Y).</summary>
    internal static byte[] OpenSshPublicKeyBlob(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        var x = parameters.Q.X!;
        var y = parameters.Q.Y!;
        var point = new byte[1 + x.Length + y.Length];
        point[0] = 0x04;
        x.CopyTo(point, 1);
        y.CopyTo(point, 1 + x.Length);

        using var stream = new MemoryStream();
        SshWire.WriteString(stream, Encoding.ASCII.GetBytes("ecdsa-sha2-nistp256"));
        SshWire.WriteString(stream, Encoding.ASCII.GetBytes("nistp256"));
        SshWire.WriteString(stream, point);
        return stream.ToArray();
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void RequireOwnerOnly(string path)
    {
        var mode = File.GetUnixFileMode(path);
        if ((mode & ~OwnerReadWrite) != 0)
        {
            // OpenSSH refuses such a key too; saying so here is clearer than its "bad permissions".
            throw new UnauthorizedAccessException(
                $"{path}: private key mode is {Convert.ToString((int)mode, 8)}, expected 600; fix it with chmod 600.");
        }
    }
}
