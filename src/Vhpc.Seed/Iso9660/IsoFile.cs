namespace Vhpc.Seed.Iso9660;

/// <summary>One file in the root directory of an <see cref="Iso9660Image"/>.</summary>
public sealed class IsoFile
{
    /// <param name="name">The exact name (the Joliet name); the primary tree gets an 8.3 form of it.</param>
    /// <param name="content">The bytes; the image keeps a reference, so do not change them afterwards.</param>
    public IsoFile(string name, ReadOnlyMemory<byte> content)
    {
        JolietName.Validate(name);
        Name = name;
        Content = content;
    }

    public string Name { get; }

    public ReadOnlyMemory<byte> Content { get; }
}
