using System.Diagnostics;

namespace Vhpc.EndToEnd.Tests;

/// <summary>What the end-to-end test needs from the machine, each missing piece failing with what to run.</summary>
internal static class Sandbox
{
    public const string Namespace = "vhpc-test";
    /// <summary>The guest image: VHPC_TEST_IMAGE_DIR (tests/run.sh sets it), else the shared cache's current image.</summary>
    public static string ImageDirectory =>
        Environment.GetEnvironmentVariable("VHPC_TEST_IMAGE_DIR") is { Length: > 0 } dir ? dir : "/var/cache/vhpc/images/current";

    /// <summary>deploy/ansible/site.yml of this checkout (the test runs from tests/Vhpc.EndToEnd.Tests/bin/...).</summary>
    public static string Playbook
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "deploy", "ansible", "site.yml");
                if (File.Exists(Path.Combine(dir.FullName, "Vhpc.Daemon.sln")) && File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException($"deploy/ansible/site.yml not found above {AppContext.BaseDirectory}");
        }
    }

    public static void Require()
    {
        if (!File.Exists("/run/libvirt/libvirt-sock") || !File.Exists($"/run/netns/{Namespace}"))
        {
            Assert.Fail("The sandboxed libvirtd is not running: run tests/env/up.sh (as root) first.");
        }

        var self = new FileInfo("/proc/self/ns/net").ResolveLinkTarget(returnFinalTarget: false)?.ToString() ?? string.Empty;
        var inode = Run("stat", "-L", "-c", "%i", $"/run/netns/{Namespace}").Trim();
        if (!self.Contains($"[{inode}]", StringComparison.Ordinal))
        {
            Assert.Fail($"The end-to-end test opens SSH connections to guests and must run inside namespace {Namespace}: "
                + $"dotnet build tests/Vhpc.EndToEnd.Tests && ip netns exec {Namespace} dotnet test tests/Vhpc.EndToEnd.Tests --no-build");
        }

        foreach (var file in new[] { "root.qcow2", "vmlinuz", "initrd.img" })
        {
            if (!File.Exists(Path.Combine(ImageDirectory, file)))
            {
                Assert.Fail($"The guest image is missing ({Path.Combine(ImageDirectory, file)}): build it with deploy/image/build-image.sh (as root, ~2 minutes).");
            }
        }
    }

    public static string Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result}");
        }

        return output.Result;
    }

    public static (int ExitCode, string Output, string Error) TryRun(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
