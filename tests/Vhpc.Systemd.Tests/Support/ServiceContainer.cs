using System.Diagnostics;
using System.Globalization;

namespace Vhpc.Systemd.Tests.Support;

/// <summary>
/// One booted Debian 12 container with a real systemd and journald (tests/systemd/container.sh), its
/// own network namespace, libvirt and qemu from Debian, and vhpcd installed inside with
/// deploy/install.sh exactly as the README tells a user, from a copy of this checkout, with the host's
/// .NET SDK bind-mounted read-only (and the host's NuGet packages as an offline package source: the
/// container has no network). Shared by the whole tier; stopped, and its cgroups removed, at the end.
/// </summary>
public sealed class ServiceContainer : IAsyncLifetime
{
    public const string Cluster = "tier";
    public const string Member = "tier-member";
    public const string Outsider = "tier-outsider";
    /// <summary>The host's tiny guest image (deploy/image/build-tiny.sh).</summary>
    public const string TinyImages = "/var/cache/vhpc/images/tiny-current";

    /// <summary>Where the container sees it (a name without "vhpc": uninstall must leave nothing named so).</summary>
    public const string TinyInside = "/srv/tiny";
    public const string BaseImage = "/srv/tier/base.qcow2";
    public const string ClusterFile = "/etc/vhpc/clusters.d/tier.yaml";
    public const string Checkout = "/root/vhpc";
    public const string SettingsFile = "/etc/vhpc/vhpcd.json";

    /// <summary>The tier's vhpcd.json: lease-only readiness (the tiny guests have no sshd), the local stand-in playbook.</summary>
    public const string Settings = """
        {
          "Vhpcd": { "PlaybookPath": "/etc/vhpc/tier/site.yml" },
          "Guests": { "WaitForSsh": false, "LeaseTimeout": "00:03:00" }
        }

        """;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);
    private readonly List<string> _timings = [];
    private string? _baseImageSha;

    public ServiceContainer()
    {
        RepositoryRoot = FindRepositoryRoot();
    }

    /// <summary>Machine name; unique per test process, so two runs on one host never meet.</summary>
    public string Name { get; } = $"vhpc-sdt-{Environment.ProcessId}";

    public string RepositoryRoot { get; }

    /// <summary>How long each phase of the set-up took (rootfs, boot, install).</summary>
    public IReadOnlyList<string> Timings => _timings;

    private string Script(string name) => Path.Combine(RepositoryRoot, "tests", "systemd", name);

    public async Task InitializeAsync()
    {
        var (dotnetRoot, nugetPackages) = Require();
        var watch = Stopwatch.StartNew();
        var rootfs = await Processes.RunAsync(Script("rootfs.sh"), [], TimeSpan.FromMinutes(20));
        Assert.True(rootfs.Code == 0, $"building the container's root failed: {rootfs}");
        var root = rootfs.Out.Trim().Split('\n')[^1];
        Took("rootfs (cached by recipe)", watch);

        var tiny = new DirectoryInfo(TinyImages).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? TinyImages;
        var boot = await Processes.RunAsync(Script("container.sh"),
            ["boot", Name, root, $"{dotnetRoot}:{dotnetRoot}", $"{nugetPackages}:/root/.nuget/packages", $"{tiny}:{TinyInside}"],
            TimeSpan.FromMinutes(2));
        Assert.True(boot.Code == 0, $"booting the container failed: {boot}");
        Took("boot to running", watch);
        try
        {
            await InstallAsync(dotnetRoot);
            Took("install.sh and the tier's files", watch);
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    public Task DisposeAsync() => StopAsync();

    /// <summary>Runs a command inside the container (all its namespaces, a clean environment, as root).</summary>
    public Task<CommandResult> ExecAsync(params string[] command) => ExecAsync(DefaultTimeout, command);

    public Task<CommandResult> ExecAsync(TimeSpan timeout, params string[] command) =>
        Processes.RunAsync(Script("container.sh"), ["exec", Name, .. command], timeout);

    /// <summary>Runs a shell script inside the container.</summary>
    public Task<CommandResult> ShAsync(string script, TimeSpan? timeout = null) =>
        ExecAsync(timeout ?? DefaultTimeout, "sh", "-c", script);

    /// <summary>Runs a command as another user inside the container (runuser: that user's groups from /etc/group).</summary>
    public Task<CommandResult> AsUserAsync(string user, TimeSpan timeout, params string[] command) =>
        ExecAsync(timeout, ["runuser", "-u", user, "--", .. command]);

    /// <summary>Starts a command inside the container and leaves it running.</summary>
    internal RunningCommand Start(params string[] command) => new(Script("container.sh"), ["exec", Name, .. command]);

    public async Task WriteFileAsync(string path, string content)
    {
        var write = await Processes.RunAsync(Script("container.sh"), ["exec", Name, "sh", "-c", "mkdir -p \"$(dirname \"$0\")\" && cat > \"$0\"", path],
            DefaultTimeout, content);
        Assert.True(write.Code == 0, write.ToString());
    }

    /// <summary>One property of vhpcd.service (systemctl show -P).</summary>
    public async Task<string> UnitPropertyAsync(string property, string unit = "vhpcd.service")
    {
        var show = await ExecAsync("systemctl", "show", "-P", property, unit);
        Assert.True(show.Code == 0, show.ToString());
        return show.Out.Trim();
    }

    /// <summary>Polls <paramref name="condition"/> every 200 ms until it holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
            {
                Assert.Fail($"not within {timeout.TotalSeconds:F0} s: {await what()}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The tier's cluster: tiny direct-kernel-boot guests (busybox, DHCP in seconds, no sshd) in the container's own network.</summary>
    public string ClusterYaml(int workers) => $$"""
        name: {{Cluster}}
        domain: tier.test
        connect: qemu:///system
        image:
          source: {{BaseImage}}
          sha256: {{_baseImageSha}}
          osFamily: Debian
          boot: { kernel: {{TinyInside}}/vmlinuz, initrd: {{TinyInside}}/initrd.img, cmdline: "console=ttyS0" }
        network: { name: tier-net, cidr: 10.209.50.0/24, bridge: tier-br }
        user: { name: vhpc }
        management: { count: 1, vcpu: 1, memoryMiB: 256, diskGiB: 1 }
        workers: { count: {{workers}}, vcpu: 1, memoryMiB: 256, diskGiB: 1 }
        vm: { accelerator: qemu, graphics: none }

        """;

    private async Task InstallAsync(string dotnetRoot)
    {
        // The SDK as a user's package would leave it: dotnet on PATH, the runtime where apphosts look.
        var sdk = await ShAsync($"""
            set -e
            ln -sfn '{dotnetRoot}/dotnet' /usr/local/bin/dotnet
            case '{dotnetRoot}' in /usr/share/dotnet|/usr/lib/dotnet) ;; *)
              mkdir -p /etc/dotnet && echo '{dotnetRoot}' >/etc/dotnet/install_location && echo '{dotnetRoot}' >/etc/dotnet/install_location_x64 ;;
            esac
            mkdir -p /root/.nuget/NuGet {Checkout}
            cat >/root/.nuget/NuGet/NuGet.Config <<'CONFIG'
            <?xml version="1.0" encoding="utf-8"?>
            <!-- No network in here: the host's packages folder is the only source (what an offline machine does). -->
            <configuration>
              <packageSources>
                <clear />
                <add key="host-packages" value="/root/.nuget/packages" />
              </packageSources>
            </configuration>
            CONFIG
            """);
        Assert.True(sdk.Code == 0, sdk.ToString());

        // A copy of the checkout (install.sh builds in it), without build output.
        var copy = await Processes.RunAsync("bash", ["-c",
            "set -o pipefail; tar -C \"$1\" --exclude=./.git --exclude=bin --exclude=obj --exclude=TestResults -cf - . | \"$2\" exec \"$3\" tar -xf - -C \"$4\"",
            "copy", RepositoryRoot, Script("container.sh"), Name, Checkout], TimeSpan.FromMinutes(2));
        Assert.True(copy.Code == 0, $"copying the checkout into the container failed: {copy}");

        // Exactly the README's command.
        var install = await ExecAsync(TimeSpan.FromMinutes(15), $"{Checkout}/deploy/install.sh");
        Assert.True(install.Code == 0, $"deploy/install.sh failed inside the container: {install}");

        var files = await ShAsync($"""
            set -e
            mkdir -p /etc/vhpc/tier /srv/tier
            cp {Checkout}/tests/systemd/local-playbook.yml /etc/vhpc/tier/site.yml
            chmod -R a+rX /etc/vhpc/tier
            qemu-img create -q -f qcow2 {BaseImage} 64M
            chmod 0644 {BaseImage}
            useradd -m -G vhpc {Member}
            useradd -m {Outsider}
            sha256sum {BaseImage} | cut -d' ' -f1
            """);
        Assert.True(files.Code == 0, files.ToString());
        _baseImageSha = files.Out.Trim();

        await WriteFileAsync(SettingsFile, Settings);
    }

    private async Task StopAsync()
    {
        var stop = await Processes.RunAsync(Script("container.sh"), ["stop", Name], TimeSpan.FromMinutes(2));
        Assert.True(stop.Code == 0 && !stop.Err.Contains("still has processes", StringComparison.Ordinal), $"stopping the container failed: {stop}");
    }

    private void Took(string phase, Stopwatch watch)
    {
        _timings.Add(string.Create(CultureInfo.InvariantCulture, $"{phase}: {watch.Elapsed.TotalSeconds:F1} s"));
        watch.Restart();
    }

    /// <summary>Fails with what to install or run when something the tier needs is missing.</summary>
    private static (string DotnetRoot, string NugetPackages) Require()
    {
        var status = File.ReadAllLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal)) ?? "";
        Assert.True(status.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2) == "0",
            "the systemd tier must run as root (it boots a container): sudo tests/run.sh systemd");
        foreach (var (tool, package) in new[] { ("systemd-nspawn", "systemd-container"), ("mmdebstrap", "mmdebstrap"), ("nsenter", "util-linux"), ("tar", "tar") })
        {
            Assert.True(Processes.Find(tool) is not null, $"{tool} is not installed: apt-get install {package} (tests/env/up.sh installs it)");
        }

        Assert.True(Directory.Exists("/sys/fs/cgroup/unified") || File.Exists("/sys/fs/cgroup/cgroup.controllers"),
            "no cgroup2 hierarchy under /sys/fs/cgroup: the systemd tier cannot run inside `ip netns exec` (its /sys has no cgroup mounts); tests/run.sh runs it outside");
        foreach (var file in new[] { "vmlinuz", "initrd.img" })
        {
            Assert.True(File.Exists(Path.Combine(TinyImages, file)), $"{TinyImages}/{file} is missing: build it with deploy/image/build-tiny.sh (as root; tests/run.sh does)");
        }

        var dotnet = Processes.Find("dotnet");
        Assert.True(dotnet is not null, "dotnet is not on PATH: install the .NET 10 SDK (dotnet-sdk-10.0); the container uses the host's");
        var dotnetRoot = Path.GetDirectoryName(new FileInfo(dotnet).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dotnet)!;
        Assert.True(Directory.Exists(Path.Combine(dotnetRoot, "sdk")), $"{dotnetRoot} has no sdk/: install the .NET 10 SDK (dotnet-sdk-10.0)");

        var nugetPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".nuget", "packages");
        Assert.True(Directory.Exists(nugetPackages),
            $"no NuGet packages folder at {nugetPackages}: build the solution first (tests/run.sh does); the offline container restores from it");
        return (dotnetRoot, nugetPackages);
    }

    private static string FindRepositoryRoot()
    {
        if (Environment.GetEnvironmentVariable("VHPC_TEST_REPO_ROOT") is { Length: > 0 } root)
        {
            return root;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "deploy", "install.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"deploy/install.sh not found above {AppContext.BaseDirectory}; set VHPC_TEST_REPO_ROOT");
    }
}

[CollectionDefinition(Name)]
public sealed class SharedContainer : ICollectionFixture<ServiceContainer>
{
    public const string Name = "one booted container";
}
