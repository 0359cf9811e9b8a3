using Vhpc.Testing;

namespace Vhpc.EndToEnd.Tests;

/// <summary>What the end-to-end test needs from the machine, each missing piece failing with what to run.</summary>
internal static class Sandbox
{
    /// <summary>deploy/ansible/site.yml of this checkout.</summary>
    public static string Playbook => Path.Combine(TestEnvironment.RepositoryRoot, "deploy", "ansible", "site.yml");

    public static string ImageDirectory => TestEnvironment.GuestImages;

    public static void Require()
    {
        _ = TestEnvironment.SharedLibvirtUri;
        // The end-to-end test opens SSH connections to guests: that traffic stays inside the namespace.
        TestEnvironment.RequireInsideNetworkNamespace();
        foreach (var file in new[] { "root.qcow2", "vmlinuz", "initrd.img" })
        {
            if (!File.Exists(Path.Combine(ImageDirectory, file)))
            {
                Assert.Fail($"The guest image is missing ({Path.Combine(ImageDirectory, file)}): build it with deploy/image/build-image.sh (as root, ~2 minutes).");
            }
        }
    }

    public static ProcessResult TryRun(string file, params string[] arguments) => ProcessRunner.Run(file, arguments, TimeSpan.FromMinutes(10));
}
