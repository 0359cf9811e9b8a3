namespace Vhpc.Testing;

/// <summary>
/// What a test needs from the machine, from least to most; tests/run.sh runs one tier at a time
/// (trait Tier) and tells the tests which (VHPC_TEST_TIER), so a harness that needs more fails.
/// </summary>
public enum TestTier
{
    /// <summary>Hermetic: no root, no libvirtd, no network namespace, no guests. libvirt's in-process test driver (test:///default), local tools and loopback sockets are fine.</summary>
    Unit,

    /// <summary>The test environment of tests/env/up.sh: root, network namespace vhpc-test, the shared libvirtd (qemu:///system) or a private one; no guest boots.</summary>
    Libvirtd,

    /// <summary>Boots guests (tiny guests or the Debian image) under TCG.</summary>
    Guests,

    /// <summary>vhpcd installed with deploy/install.sh in a container booting a real systemd, with its own libvirtd and tiny guests.</summary>
    Systemd,

    /// <summary>The whole product against a 1 + 3 Slurm cluster of image guests.</summary>
    EndToEnd,
}
