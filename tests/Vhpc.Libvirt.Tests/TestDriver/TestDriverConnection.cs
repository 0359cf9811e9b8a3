namespace Vhpc.Libvirt.Tests.TestDriver;

/// <summary>
/// libvirt's in-process test driver: real libvirt.so and XML parsers, an in-memory fake hypervisor,
/// no daemon. All connections to test:///default in this process share its state.
/// </summary>
internal static class TestDriverConnection
{
    internal const string Uri = "test:///default";

    internal static Connection Open(bool readOnly = false) => Connection.Open(Uri, readOnly);
}
