using System.Globalization;

namespace Vhpc.Testing;

/// <summary>
/// The machine the tests run on, and the one way to what only some tiers may use: the shared libvirtd,
/// the vhpc-test namespace and the guest images. Each asks <see cref="Require"/> first, so a test that
/// uses them from a lower tier than it needs fails with what to change, instead of reaching libvirtd
/// (tests/run.sh also hides libvirtd's sockets from the unit tier when it runs as root).
/// </summary>
public static class TestEnvironment
{
    /// <summary>Set by tests/run.sh to the tier it runs (unit, libvirtd, guests, e2e); unset when dotnet test is run by hand.</summary>
    public const string TierVariable = "VHPC_TEST_TIER";

    /// <summary>The network namespace tests/env/up.sh creates; libvirtd and the guests' networks live in it.</summary>
    public const string NetworkNamespace = "vhpc-test";

    public const string SharedLibvirtSocket = "/run/libvirt/libvirt-sock";

    /// <summary>The Debian guest image deploy/image/build-image.sh builds (vmlinuz, initrd.img, the qcow2, SHA256SUMS).</summary>
    public const string ImageDirectory = "/var/cache/vhpc/images/current";

    /// <summary>The tiny image deploy/image/build-tiny.sh builds.</summary>
    public const string TinyImageDirectory = "/var/cache/vhpc/images/tiny-current";

    /// <summary>The tier tests/run.sh runs now; null outside it.</summary>
    public static TestTier? RunTier => Environment.GetEnvironmentVariable(TierVariable) switch
    {
        "unit" => TestTier.Unit,
        "libvirtd" => TestTier.Libvirtd,
        "guests" => TestTier.Guests,
        "e2e" => TestTier.EndToEnd,
        null or "" => null,
        var other => throw new InvalidOperationException($"{TierVariable}={other} is not a tier (unit, libvirtd, guests, e2e)"),
    };

    /// <summary>Fails the test when the tier being run is below <paramref name="needed"/>.</summary>
    /// <param name="what">What the test was about to use, for the message.</param>
    public static void Require(TestTier needed, string what)
    {
        if (RunTier is { } running && running < needed)
        {
            Assert.Fail($"this test uses {what}, which needs tier {TierAttribute.NameOf(needed)}, but runs in tier {TierAttribute.NameOf(running)}: "
                + $"mark it [Tier(TestTier.{needed})]");
        }
    }

    /// <summary>qemu:///system of the shared libvirtd (tier libvirtd), after checking that it runs.</summary>
    public static string SharedLibvirtUri
    {
        get
        {
            Require(TestTier.Libvirtd, "the shared libvirtd (qemu:///system)");
            if (!File.Exists(SharedLibvirtSocket))
            {
                Assert.Fail($"libvirtd is not running (no {SharedLibvirtSocket}): run tests/env/up.sh as root first.");
            }

            return "qemu:///system";
        }
    }

    /// <summary>Fails unless this process runs inside <see cref="NetworkNamespace"/> (tests that open TCP connections to guests).</summary>
    public static void RequireInsideNetworkNamespace()
    {
        Require(TestTier.Libvirtd, $"network namespace {NetworkNamespace}");
        var path = $"/run/netns/{NetworkNamespace}";
        if (!File.Exists(path))
        {
            Assert.Fail($"Network namespace {NetworkNamespace} does not exist: run tests/env/up.sh (as root) first.");
        }

        var self = new FileInfo("/proc/self/ns/net").LinkTarget;
        var inode = ProcessRunner.Run("stat", ["-L", "-c", "%i", path]).Output.Trim();
        if (self is null || self != $"net:[{inode}]")
        {
            Assert.Fail($"This test must run inside network namespace {NetworkNamespace}: tests/run.sh runs it there, "
                + $"or `ip netns exec {NetworkNamespace} dotnet test <project> --no-build -c Release`.");
        }
    }

    /// <summary>Fails unless the process runs as root (mount and network namespaces, chown to other groups).</summary>
    public static void RequireRoot(string why)
    {
        Require(TestTier.Libvirtd, why);
        if (!string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
        {
            Assert.Fail($"{why} needs root: run the libvirtd tier as root (sudo tests/run.sh libvirtd).");
        }
    }

    /// <summary>The Debian guest image (tier guests), after checking it was built.</summary>
    public static string GuestImages => Images(ImageDirectory, "deploy/image/build-image.sh");

    /// <summary>The tiny guest image (tier guests), after checking it was built.</summary>
    public static string TinyImages => Images(TinyImageDirectory, "deploy/image/build-tiny.sh");

    private static string Images(string directory, string buildScript)
    {
        Require(TestTier.Guests, $"the guest images in {directory}");
        if (!Directory.Exists(directory))
        {
            Assert.Fail($"{directory} does not exist: build it with {buildScript} (tests/run.sh does).");
        }

        return directory;
    }

    /// <summary>The repository root: the first parent of the test binaries that holds Vhpc.Daemon.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Vhpc.Daemon.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"no Vhpc.Daemon.sln above {AppContext.BaseDirectory}"));
    }
}
