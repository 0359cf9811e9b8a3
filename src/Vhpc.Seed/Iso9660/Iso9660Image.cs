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

    private readonly IsoFile[] _files;
    private readonly string[] _primaryNames;
    private readonly uint[] _fileExtents;
    private readonly uint _primaryRootSectors;
    private readonly uint _jolietRootSectors;
    private readonly uint _firstFileSector;
    private readonly uint _totalSectors;

    /// <param name="volumeId">Up to 16 characters of A-Z, a-z, 0-9, '_', '-', '.' (Joliet holds 16).</param>
    /// <param name="files">Root directory files with distinct names, in any order.</param>
    public Iso9660Image(string volumeId, IEnumerable<IsoFile> files)
    {
        ValidateVolumeId(volumeId);
        ArgumentNullException.ThrowIfNull(files);
        VolumeId = volumeId;

        _files = [.. files];
        Array.Sort(_files, (a, b) => JolietName.Compare(a.Name, b.Name));
        for (var i = 1; i < _files.Length; i++)
        {
            if (string.Equals(_files[i - 1].Name, _files[i].Name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"File name '{_files[i].Name}' appears twice.", nameof(files));
            }
        }

        _primaryNames = PrimaryName.AssignAll([.. _files.Select(f => f.Name)]);

        _primaryRootSectors = (uint)DirectoryExtent.CountSectors(
            RootRecordSizes(_primaryNames.Select(n => DirectoryRecord.SizeOf(n.Length))));
        _jolietRootSectors = (uint)DirectoryExtent.CountSectors(
            RootRecordSizes(_files.Select(f => DirectoryRecord.SizeOf(2 * f.Name.Length))));

        _firstFileSector = FirstDirectorySector + _primaryRootSectors + _jolietRootSectors;
        _fileExtents = new uint[_files.Length];
        ulong next = _firstFileSector;
        for (var i = 0; i < _files.Length; i++)
        {
            // An empty file takes no sector; like genisoimage, it points where the next data starts.
            _fileExtents[i] = (uint)next;
            next += SectorsFor(_files[i].Content.Length);
            if (next > uint.MaxValue)
            {
                throw new ArgumentException("The files do not fit in an ISO 9660 volume (2^32 sectors).", nameof(files));
            }
        }

        _totalSectors = (uint)next;

        // Empty files at the end would point one past the volume; keep every extent inside it so
        // strict checkers have nothing to flag (the length is 0, so the sector is never read).
        for (var i = 0; i < _fileExtents.Length; i++)
        {
            _fileExtents[i] = Math.Min(_fileExtents[i], _totalSectors - 1);
        }
    }

    public string VolumeId { get; }

    /// <summary>The files in directory (Joliet) order.</summary>
    public IReadOnlyList<IsoFile> Files => _files;

    /// <summary>The exact number of bytes <see cref="WriteTo"/> writes: volume space size × 2048.</summary>
    public long Length => (long)_totalSectors * SectorSize;

    public uint SectorCount => _totalSectors;

    /// <summary>Writes the whole image front to back; the stream need not seek.</summary>
    public void WriteTo(Stream destination, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(destination);
        foreach (var segment in Segments(timestamp))
        {
            destination.Write(segment.Span);
        }
    }

    public async Task WriteToAsync(Stream destination, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        foreach (var segment in Segments(timestamp))
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
        for (var i = 0; i < _files.Length; i++)
        {
            var content = _files[i].Content;
            if (!content.IsEmpty)
            {
                yield return content;
            }

            var padding = (int)((SectorSize - (content.Length % SectorSize)) % SectorSize);
            if (padding > 0)
            {
                yield return ZeroSector.AsMemory(0, padding);
            }
        }
    }

    private static readonly byte[] ZeroSector = new byte[SectorSize];

    private byte[] BuildMetadata(DateTimeOffset timestamp)
    {
        var metadata = new byte[_firstFileSector * SectorSize];
        Span<byte> image = metadata;
        var primaryRoot = FirstDirectorySector;
        var jolietRoot = FirstDirectorySector + _primaryRootSectors;

        var primary = new VolumeFields(VolumeId, _totalSectors, PrimaryPathTableL, PrimaryPathTableM,
            primaryRoot, _primaryRootSectors * SectorSize);
        var joliet = new VolumeFields(VolumeId, _totalSectors, JolietPathTableL, JolietPathTableM,
            jolietRoot, _jolietRootSectors * SectorSize);

        VolumeDescriptor.Write(Sector(image, PrimaryDescriptorSector), joliet: false, primary, timestamp);
        VolumeDescriptor.Write(Sector(image, JolietDescriptorSector), joliet: true, joliet, timestamp);
        VolumeDescriptor.WriteTerminator(Sector(image, TerminatorSector));

        PathTable.WriteRootOnly(Sector(image, PrimaryPathTableL), primaryRoot, bigEndian: false);
        PathTable.WriteRootOnly(Sector(image, PrimaryPathTableM), primaryRoot, bigEndian: true);
        PathTable.WriteRootOnly(Sector(image, JolietPathTableL), jolietRoot, bigEndian: false);
        PathTable.WriteRootOnly(Sector(image, JolietPathTableM), jolietRoot, bigEndian: true);

        var primaryRecords = RootRecords(primaryRoot, _primaryRootSectors);
        var byPrimaryName = Enumerable.Range(0, _files.Length)
            .Order(Comparer<int>.Create((a, b) => PrimaryName.Compare(_primaryNames[a], _primaryNames[b])));
        foreach (var i in byPrimaryName)
        {
            primaryRecords.Add(FileRecord(System.Text.Encoding.ASCII.GetBytes(_primaryNames[i]), i));
        }

        var jolietRecords = RootRecords(jolietRoot, _jolietRootSectors);
        for (var i = 0; i < _files.Length; i++)
        {
            jolietRecords.Add(FileRecord(JolietName.Encode(_files[i].Name), i));
        }

        DirectoryExtent.Write(image.Slice((int)primaryRoot * SectorSize, (int)_primaryRootSectors * SectorSize),
            primaryRecords, timestamp);
        DirectoryExtent.Write(image.Slice((int)jolietRoot * SectorSize, (int)_jolietRootSectors * SectorSize),
            jolietRecords, timestamp);
        return metadata;
    }

    private DirectoryRecord FileRecord(byte[] identifier, int index) =>
        new(identifier, _fileExtents[index], (uint)_files[index].Content.Length, IsDirectory: false);

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

        foreach (var c in volumeId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                throw new ArgumentException(
                    $"Volume id '{volumeId}' may hold only A-Z, a-z, 0-9, '_', '-' and '.'.", nameof(volumeId));
            }
        }
    }
}
