using System.Security.Cryptography;

namespace Vhpc.Guests.Ssh;

/// <summary>A host's public key: its type ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa") and SSH wire blob.</summary>
public sealed class HostKey : IEquatable<HostKey>
{
    public HostKey(string type, byte[] blob)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(blob);
        Type = type;
        Blob = blob;
    }

    public string Type { get; }

#pragma warning disable CA1819 // a key blob is bytes; copying it on every read buys nothing here
    public byte[] Blob { get; }
#pragma warning restore CA1819

    /// <summary>"SHA256:..." as ssh-keygen -l prints it.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Blob)).TrimEnd('=');

    /// <summary>The type is read from the blob itself: SSH.NET reports the signature algorithm
    /// ("rsa-sha2-512"), while known_hosts needs the key type ("ssh-rsa").</summary>
    public static HostKey FromBlob(byte[] blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var type = SshWire.ReadKeyType(blob) ?? throw new InvalidDataException("The host key blob has no key type.");
        return new HostKey(type, blob);
    }

    public bool Equals(HostKey? other) =>
        other is not null && Type == other.Type && Blob.AsSpan().SequenceEqual(other.Blob);

    public override bool Equals(object? obj) => Equals(obj as HostKey);

    public override int GetHashCode() => HashCode.Combine(Type, Blob.Length);

    public override string ToString() => $"{Type} {Fingerprint}";
}
