namespace Vhpc.Seed.Tests;

/// <summary>A temporary directory removed after the test, pass or fail.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        Path = Directory.CreateTempSubdirectory("vhpc-seed-tests-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string WriteIso(Vhpc.Seed.Iso9660.Iso9660Image image, DateTimeOffset timestamp, string name = "x.iso")
    {
        string path = File(name);
        using (var stream = System.IO.File.Create(path))
        {
            image.WriteTo(stream, timestamp);
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
