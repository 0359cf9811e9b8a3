namespace Vhpc.Testing;

/// <summary>A directory under the temp directory, removed (with everything in it) on dispose, pass or fail.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <param name="prefix">Short, so socket paths inside stay under 108 bytes.</param>
    /// <param name="mode">The directory's mode, for example 0755 when another user (the "nobody" client of a permission test) must reach a socket in it.</param>
    public TempDirectory(string prefix = "vht-", UnixFileMode? mode = null)
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
        if (mode is { } m && OperatingSystem.IsLinux())
        {
            System.IO.File.SetUnixFileMode(Path, m);
        }
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

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
