namespace Vhpc.Libvirt.Tests.Support;

/// <summary>Unique names with the binding's prefix, so parallel tests and other helpers never collide.</summary>
internal static class Names
{
    internal static string Unique(string what) => $"vtb-{what}-{Guid.NewGuid().ToString("N")[..12]}";
}
