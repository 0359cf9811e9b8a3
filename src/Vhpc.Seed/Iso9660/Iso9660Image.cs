namespace Vhpc.Seed.Iso9660;

/// <summary>
/// An ISO 9660 image with a Joliet supplementary tree and files in the root directory only (no Rock
/// Ridge; the same trees genisoimage -V cidata -J writes, which cloud-init reads; Linux uses the
/// Joliet tree, so the seed's names stay exact), laid out compactly:
/// sectors 0-15 zero; 16 primary descriptor; 17 Joliet descriptor; 18 terminator; 19/20 primary
/// path tables L/M; 21/22 Joliet path tables L/M; the primary root directory from 23, then the
/// Joliet root directory (one sector each unless there are many files); then each file's data,
/// padded to a whole sector. The volume space size is the total sector count, so the byte length is
/// exact and known before anything is written, and the image is written strictly front to back.
/// </summary>
public sealed class Iso9660Image
{
    public const int SectorSize = 2048;

    private const uint PrimaryDescriptorSector = 16;
    private const uint JolietDescriptorSector = 17;
    private const uint TerminatorSector = 18;
    private const uint PrimaryPathTableL = 19;
    private const uint PrimaryPathTableM = 20;
    private const uint JolietPathTableL = 21;
    private const uint JolietPathTableM = 22;
    private const uint FirstDirectorySector = 23;

    private readonly IsoFile[] files;
    private readonly string[] primaryNames;
    private readonly uint[] fileExtents;
    private readonly uint primaryRootSectors;
    private readonly uint jolietRootSectors;
    private readonly uint firstFileSector;
    private readonly uint totalSectors;

    /// <param name="volumeId">Up to 16 characters of A-Z, a-z, 0-9, '_', '-', '.' (Joliet holds 16).</param>
    /// <param name="files">Root directory files with distinct names, in any order.</param>
    public Iso9660Image(string volumeId, IEnumerable<IsoFile> files)
    {
        ValidateVolumeId(volumeId);
        ArgumentNullException.ThrowIfNull(files);
        VolumeId = volumeId;

        this.files = [.. files];
        Array.Sort(this.files, (a, b) => JolietName.Compare(a.Name, b.Name));
        for (int i = 1; i < this.files.Length; i++)
        {
            if (string.Equals(this.files[i - 1].Name, this.files[i].Name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"File name '{this.files[i].Name}' appears twice.", nameof(files));
            }
        }

        primaryNames = PrimaryName.AssignAll([.. this.files.Select(f => f.Name)]);

        primaryRootSectors = (uint)DirectoryExtent.CountSectors(
            RootRecordSizes(primaryNames.Select(n => DirectoryRecord.SizeOf(n.Length))));
        jolietRootSectors = (uint)DirectoryExtent.CountSectors(
            RootRecordSizes(this.files.Select(f => DirectoryRecord.SizeOf(2 * f.Name.Length))));

        firstFileSector = FirstDirectorySector + primaryRootSectors + jolietRootSectors;
        fileExtents = new uint[this.files.Length];
        ulong next = firstFileSector;
        for (int i = 0; i < this.files.Length; i++)
        {
            // An empty file takes no sector; like genisoimage, it points where the next data starts.
            fileExtents[i] = (uint)next;
            next += SectorsFor(this.files[i].Content.Length);
            if (next > uint.MaxValue)
            {
                throw new ArgumentException("The files do not fit in an ISO 9660 volume (2^32 sectors).", nameof(files));
            }
        }

        totalSectors = (uint)next;

        // Empty files at the end would point one past the volume; keep every extent inside it so
        // strict checkers have nothing to flag (the length is 0, so the sector is never read).
        for (int i = 0; i < fileExtents.Length; i++)
        {
            fileExtents[i] = Math.Min(fileExtents[i], totalSectors - 1);
        }
    }

    public string VolumeId { get; }

    /// <summary>The files in directory (Joliet) order.</summary>
    public IReadOnlyList<IsoFile> Files => files;

    /// <summary>The exact number of bytes <see cref="WriteTo"/> writes: volume space size × 2048.</summary>
    public long Length => (long)totalSectors * SectorSize;

    public uint SectorCount => totalSectors;

    /// <summary>Writes the whole image front to back; the stream need not seek.</summary>
    public void WriteTo(Stream destination, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(destination);
        foreach (ReadOnlyMemory<byte> segment in Segments(timestamp))
        {
            destination.Write(segment.Span);
        }
    }

    public async Task WriteToAsync(Stream destination, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        foreach (ReadOnlyMemory<byte> segment in Segments(timestamp))
        {
            await destination.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A read-only, forward-only stream of the image, for consumers that pull (a volume upload).</summary>
    public Stream OpenRead(DateTimeOffset timestamp) => new SegmentStream(Segments(timestamp), Length);

    /// <summary>The image as consecutive pieces: the metadata sectors, then per file its bytes and zero padding.</summary>
    private IEnumerable<ReadOnlyMemory<byte>> Segments(DateTimeOffset timestamp)
    {
        IsoTimestamp.Validate(timestamp);
        yield return BuildMetadata(timestamp);
        for (int i = 0; i < files.Length; i++)
        {
            ReadOnlyMemory<byte> content = files[i].Content;
            if (!content.IsEmpty)
            {
                yield return content;
            }

            int padding = (int)((SectorSize - (content.Length % SectorSize)) % SectorSize);
            if (padding > 0)
            {
                yield return ZeroSector.AsMemory(0, padding);
            }
        }
    }

    private static readonly byte[] ZeroSector = new byte[SectorSize];

    private byte[] BuildMetadata(DateTimeOffset timestamp)
    {
        var metadata = new byte[firstFileSector * SectorSize];
        Span<byte> image = metadata;
        uint primaryRoot = FirstDirectorySector;
        uint jolietRoot = FirstDirectorySector + primaryRootSectors;

        var primary = new VolumeFields(VolumeId, totalSectors, PrimaryPathTableL, PrimaryPathTableM,
            primaryRoot, primaryRootSectors * SectorSize);
        var joliet = new VolumeFields(VolumeId, totalSectors, JolietPathTableL, JolietPathTableM,
            jolietRoot, jolietRootSectors * SectorSize);

        VolumeDescriptor.Write(Sector(image, PrimaryDescriptorSector), joliet: false, primary, timestamp);
        VolumeDescriptor.Write(Sector(image, JolietDescriptorSector), joliet: true, joliet, timestamp);
        VolumeDescriptor.WriteTerminator(Sector(image, TerminatorSector));

        PathTable.WriteRootOnly(Sector(image, PrimaryPathTableL), primaryRoot, bigEndian: false);
        PathTable.WriteRootOnly(Sector(image, PrimaryPathTableM), primaryRoot, bigEndian: true);
        PathTable.WriteRootOnly(Sector(image, JolietPathTableL), jolietRoot, bigEndian: false);
        PathTable.WriteRootOnly(Sector(image, JolietPathTableM), jolietRoot, bigEndian: true);

        var primaryRecords = RootRecords(primaryRoot, primaryRootSectors);
        var byPrimaryName = Enumerable.Range(0, files.Length)
            .Order(Comparer<int>.Create((a, b) => PrimaryName.Compare(primaryNames[a], primaryNames[b])));
        foreach (int i in byPrimaryName)
        {
            primaryRecords.Add(FileRecord(System.Text.Encoding.ASCII.GetBytes(primaryNames[i]), i));
        }

        var jolietRecords = RootRecords(jolietRoot, jolietRootSectors);
        for (int i = 0; i < files.Length; i++)
        {
            jolietRecords.Add(FileRecord(JolietName.Encode(files[i].Name), i));
        }

        DirectoryExtent.Write(image.Slice((int)primaryRoot * SectorSize, (int)primaryRootSectors * SectorSize),
            primaryRecords, timestamp);
        DirectoryExtent.Write(image.Slice((int)jolietRoot * SectorSize, (int)jolietRootSectors * SectorSize),
            jolietRecords, timestamp);
        return metadata;
    }

    private DirectoryRecord FileRecord(byte[] identifier, int index) =>
        new(identifier, fileExtents[index], (uint)files[index].Content.Length, IsDirectory: false);

    /// <summary>"." and ".." of a root directory both point at the root itself.</summary>
    private static List<DirectoryRecord> RootRecords(uint extent, uint sectors) =>
    [
        new(DirectoryRecord.SelfIdentifier, extent, sectors * SectorSize, IsDirectory: true),
        new(DirectoryRecord.ParentIdentifier, extent, sectors * SectorSize, IsDirectory: true),
    ];

    private static IEnumerable<int> RootRecordSizes(IEnumerable<int> fileRecordSizes) =>
        new[] { DirectoryRecord.SizeOf(1), DirectoryRecord.SizeOf(1) }.Concat(fileRecordSizes);

    private static Span<byte> Sector(Span<byte> image, uint sector) =>
        image.Slice((int)sector * SectorSize, SectorSize);

    private static ulong SectorsFor(long length) => (ulong)((length + SectorSize - 1) / SectorSize);

    private static void ValidateVolumeId(string volumeId)
    {
        ArgumentNullException.ThrowIfNull(volumeId);
        if (volumeId.Length is 0 or > 16)
        {
            throw new ArgumentException($"Volume id '{volumeId}' must have 1 to 16 characters.", nameof(volumeId));
        }

        foreach (char c in volumeId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                throw new ArgumentException(
                    $"Volume id '{volumeId}' may hold only A-Z, a-z, 0-9, '_', '-' and '.'.", nameof(volumeId));
            }
        }
    }
}
