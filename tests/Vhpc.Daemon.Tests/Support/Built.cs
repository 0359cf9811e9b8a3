namespace Vhpc.Daemon.Tests.Support;

/// <summary>The vhpcd and vhpc executables built next to this test assembly (project references).</summary>
internal static class Built
{
    public static string Vhpcd => Find("vhpcd");

    public static string Vhpc => Find("vhpc");

    private static string Find(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: build the tests with 'dotnet build tests/Vhpc.Daemon.Tests' (it builds {name} too)");
        }

        return path;
    }
}
