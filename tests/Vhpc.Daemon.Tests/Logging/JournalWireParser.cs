using System.Buffers.Binary;
using System.Text;

namespace Vhpc.Daemon.Tests.Logging;

/// <summary>
/// Reads the native protocol's entry format as journald does, written from the protocol text and not
/// from vhpcd's serializer: each field is either <c>NAME=value\n</c>, or <c>NAME\n</c> followed by a
/// 64-bit little-endian length, that many bytes, and <c>\n</c>. Anything else fails the test.
/// </summary>
internal static class JournalWireParser
{
    public static List<KeyValuePair<string, byte[]>> Parse(ReadOnlySpan<byte> data)
    {
        var fields = new List<KeyValuePair<string, byte[]>>();
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            Assert.True(newline >= 0, "field without a terminating newline");
            var line = data[..newline];
            var equals = line.IndexOf((byte)'=');
            if (equals >= 0)
            {
                fields.Add(new(Name(line[..equals]), line[(equals + 1)..].ToArray()));
                data = data[(newline + 1)..];
                continue;
            }

            var name = Name(line);
            data = data[(newline + 1)..];
            Assert.True(data.Length >= 8, $"{name}: binary field without its length");
            var length = BinaryPrimitives.ReadUInt64LittleEndian(data);
            data = data[8..];
            Assert.True((ulong)data.Length >= length + 1, $"{name}: binary field shorter than its length {length}");
            fields.Add(new(name, data[..(int)length].ToArray()));
            Assert.Equal((byte)'\n', data[(int)length]);
            data = data[((int)length + 1)..];
        }

        return fields;
    }

    private static string Name(ReadOnlySpan<byte> bytes)
    {
        var name = Encoding.ASCII.GetString(bytes);
        Assert.Matches("^[A-Z][A-Z0-9_]{0,63}$", name);
        return name;
    }
}
