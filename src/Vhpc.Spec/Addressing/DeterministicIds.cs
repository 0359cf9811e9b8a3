using System.Security.Cryptography;
using System.Text;

namespace Vhpc.Spec.Addressing;

/// <summary>
/// Identifiers derived from names by hashing, so they are the same on every run and every machine.
/// Inputs are joined with NUL, which no validated name contains, so ("a-b","c") and ("a","b-c") differ.
/// </summary>
public static class DeterministicIds
{
    /// <summary>
    /// A name-based UUID (RFC 9562 version 8, SHA-256 of the parts): pools and networks get this UUID,
    /// which is how vhpc recognises them as its own (libvirt 9.0 networks carry no metadata).
    /// </summary>
    public static Guid Uuid(params string[] parts)
    {
        var hash = Hash(parts);
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>Lowercase hex of the first <paramref name="length"/> hex digits of the hash.</summary>
    public static string HexDigest(int length, params string[] parts) =>
        Convert.ToHexStringLower(Hash(parts))[..length];

    public static byte[] Hash(params string[] parts) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', parts)));
}
