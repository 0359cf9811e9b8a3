using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Vhpc.Daemon.Logging;

/// <summary>
/// One journal entry in the native protocol's serialization: <c>KEY=value\n</c> per field, and for a
/// value containing a newline the binary-safe <c>KEY\n</c>, its length as 64-bit little endian, the
/// bytes and <c>\n</c>.
/// </summary>
internal sealed class JournalEntry
{
    private readonly List<KeyValuePair<string, string>> _fields = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public IReadOnlyList<KeyValuePair<string, string>> Fields => _fields;

    /// <summary>Adds a field unless one of that name is already there (the first source wins).</summary>
    public bool TryAdd(string name, string value)
    {
        if (!JournalFieldName.IsValid(name) || !_names.Add(name))
        {
            return false;
        }

        _fields.Add(new(name, value));
        return true;
    }

    public bool Contains(string name) => _names.Contains(name);

    public byte[] Serialize()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        foreach (var (name, value) in _fields)
        {
            Write(buffer, name);
            if (value.Contains('\n', StringComparison.Ordinal))
            {
                buffer.Write("\n"u8);
                var length = Encoding.UTF8.GetByteCount(value);
                BinaryPrimitives.WriteUInt64LittleEndian(buffer.GetSpan(8), (ulong)length);
                buffer.Advance(8);
                Write(buffer, value);
            }
            else
            {
                buffer.Write("="u8);
                Write(buffer, value);
            }

            buffer.Write("\n"u8);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(ArrayBufferWriter<byte> buffer, string text)
    {
        var written = Encoding.UTF8.GetBytes(text, buffer.GetSpan(Encoding.UTF8.GetByteCount(text)));
        buffer.Advance(written);
    }
}
