using System.Buffers.Binary;

namespace Vhpc.Guests.Ssh;

/// <summary>The SSH wire encoding of strings (RFC 4251 section 5), used for public key blobs.</summary>
internal static class SshWire
{
    public static void WriteString(Stream stream, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
        stream.Write(length);
        stream.Write(value);
    }

    /// <summary>The first string of a key blob is its key type ("ssh-ed25519", "ssh-rsa", ...).</summary>
    public static string? ReadKeyType(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 4)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(blob);
        if (length == 0 || length > 64 || length > blob.Length - 4)
        {
            return null;
        }

        return System.Text.Encoding.ASCII.GetString(blob.Slice(4, (int)length));
    }
}
