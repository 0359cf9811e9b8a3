using Vhpc.Seed.Iso9660;

namespace Vhpc.Seed;

/// <summary>
/// A cloud-init NoCloud seed: an ISO 9660 + Joliet volume labelled <c>cidata</c> whose root holds
/// <c>user-data</c> and <c>meta-data</c> (both required, either may be empty) and optionally
/// <c>network-config</c> and <c>vendor-data</c>. The same inputs and timestamp give the same bytes.
/// </summary>
public sealed class NoCloudSeed
{
    public const string VolumeLabel = "cidata";
    public const string UserDataName = "user-data";
    public const string MetaDataName = "meta-data";
    public const string NetworkConfigName = "network-config";
    public const string VendorDataName = "vendor-data";

    private readonly Iso9660Image _image;

    /// <remarks>The seed keeps references to the arrays; do not change them afterwards.</remarks>
    public NoCloudSeed(byte[] userData, byte[] metaData, byte[]? networkConfig = null, byte[]? vendorData = null)
    {
        ArgumentNullException.ThrowIfNull(userData);
        ArgumentNullException.ThrowIfNull(metaData);
        var files = new List<IsoFile>(4)
        {
            new(UserDataName, userData),
            new(MetaDataName, metaData),
        };
        if (networkConfig is not null)
        {
            files.Add(new IsoFile(NetworkConfigName, networkConfig));
        }

        if (vendorData is not null)
        {
            files.Add(new IsoFile(VendorDataName, vendorData));
        }

        _image = new Iso9660Image(VolumeLabel, files);
    }

    /// <summary>The exact byte count of the ISO, a multiple of 2048, known before writing.</summary>
    public long Length => _image.Length;

    /// <summary>The underlying image, for callers that want its layout.</summary>
    public Iso9660Image Image => _image;

    /// <summary>Writes the ISO front to back (no seeking). Dates in the image are <paramref name="timestamp"/>.</summary>
    public void WriteTo(Stream destination, DateTimeOffset timestamp) => _image.WriteTo(destination, timestamp);

    public Task WriteToAsync(Stream destination, DateTimeOffset timestamp, CancellationToken cancellationToken = default) =>
        _image.WriteToAsync(destination, timestamp, cancellationToken);

    /// <summary>A forward-only readable stream of exactly <see cref="Length"/> bytes (for a volume upload).</summary>
    public Stream OpenRead(DateTimeOffset timestamp) => _image.OpenRead(timestamp);
}
