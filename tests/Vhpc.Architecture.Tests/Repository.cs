namespace Vhpc.Architecture.Tests;

/// <summary>The repository's files and the product assemblies built next to this test.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Product projects by assembly name: (csproj path relative to the root, assembly file name).</summary>
    public static IReadOnlyDictionary<string, string> ProjectFiles { get; } = Directory
        .EnumerateFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)
        .Concat(Directory.EnumerateFiles(Path.Combine(Root, "native-interop"), "*.csproj", SearchOption.AllDirectories))
        .Where(p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal))
        .ToDictionary(p => Path.GetFileNameWithoutExtension(p), p => Path.GetRelativePath(Root, p), StringComparer.Ordinal);

    /// <summary>The built assembly of a project (vhpcd and vhpc are the daemon's and the CLI's).</summary>
    public static string AssemblyPath(string project) => Path.Combine(AppContext.BaseDirectory, project switch
    {
        "Vhpc.Daemon" => "vhpcd.dll",
        "Vhpc.Cli" => "vhpc.dll",
        _ => project + ".dll",
    });

    public static IEnumerable<string> SourceFiles(string directory) => Directory
        .EnumerateFiles(Path.Combine(Root, directory), "*.cs", SearchOption.AllDirectories)
        .Where(p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Vhpc.Daemon.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Vhpc.Daemon.sln above {AppContext.BaseDirectory}: run the tests from the repository's build output");
    }
}
