using Vhpc.Seed.Iso9660;
using Vhpc.Testing;

namespace Vhpc.Seed.Tests;

internal static class IsoFiles
{
    /// <summary>Writes <paramref name="image"/> to a file in <paramref name="directory"/> and returns its path.</summary>
    public static string WriteIso(this TempDirectory directory, Iso9660Image image, DateTimeOffset timestamp, string name = "x.iso")
    {
        var path = directory.File(name);
        using (var stream = File.Create(path))
        {
            image.WriteTo(stream, timestamp);
        }

        return path;
    }
}
