namespace Vhpc.Engine.Tests.Configuration;

internal static class RepositoryPaths
{
    /// <summary>The repository root: the first parent of the test binaries that holds deploy/ansible/site.yml.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "deploy", "ansible", "site.yml")))
                    return dir.FullName;
            }
            throw new InvalidOperationException($"deploy/ansible/site.yml not found above {AppContext.BaseDirectory}");
        }
    }

    public static string AnsibleDirectory => Path.Combine(Root, "deploy", "ansible");

    public static string SitePlaybook => Path.Combine(AnsibleDirectory, "site.yml");

    public static string TestPlaybook(string name) => Path.Combine(AppContext.BaseDirectory, "Configuration", "Playbooks", name);
}
