namespace Vhpc.Engine.Tests.Guests;

/// <summary>
/// Tests that open TCP connections must run inside the sandbox namespace (TEAM.md). This fails
/// them with the command to use instead of letting them hang on an unreachable address.
/// </summary>
internal static class TestNamespace
{
    public const string Name = "vhpc-test";

    public static void RequireInside()
    {
        var path = $"/run/netns/{Name}";
        if (!File.Exists(path))
        {
            Assert.Fail($"Network namespace {Name} does not exist: run tests/env/up.sh (as root) first.");
        }

        var self = new FileInfo("/proc/self/ns/net").ResolveLinkTarget(returnFinalTarget: false)?.ToString();
        var inode = Inode(path);
        if (self is null || !self.Contains($"[{inode}]", StringComparison.Ordinal))
        {
            Assert.Fail($"This test must run inside network namespace {Name}: build with `dotnet build tests/Vhpc.Engine.Tests`, "
                + $"then run `ip netns exec {Name} dotnet test tests/Vhpc.Engine.Tests --no-build`.");
        }
    }

    private static string Inode(string path)
    {
        var result = ProcessRunner.Run("stat", ["-L", "-c", "%i", path]);
        return result.Output.Trim();
    }
}
