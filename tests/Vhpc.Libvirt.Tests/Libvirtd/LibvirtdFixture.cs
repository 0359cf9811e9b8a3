using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.Libvirtd;

/// <summary>
/// The shared sandboxed libvirtd (tests/env/up.sh). Missing is a failure with the command to run,
/// never a skip. Objects from an earlier, crashed run (prefix <see cref="Prefix"/>) are removed first.
/// </summary>
public sealed class LibvirtdFixture : IDisposable
{
    internal static string Uri => TestEnvironment.SharedLibvirtUri;

    /// <summary>Everything these tests create starts with this (the binding's vtb- plus t for tests).</summary>
    internal const string Prefix = "vtb-t-";

    internal const string ImagesDirectory = "/var/lib/libvirt/images";

    public LibvirtdFixture()
    {
        try
        {
            Connection = Connection.Open(Uri);
        }
        catch (LibvirtException ex)
        {
            throw new InvalidOperationException(
                $"libvirtd is not reachable at {Uri} ({ex.Message}): run tests/env/up.sh as root", ex);
        }

        Sweep(Connection);
    }

    internal Connection Connection { get; }

    public void Dispose()
    {
        Sweep(Connection);
        var references = Connection.Close();
        if (references != 0)
        {
            throw new InvalidOperationException($"virConnectClose left {references} references: a test leaked a libvirt object");
        }
    }

    /// <summary>Removes every domain, network and pool (with its volumes and directory) named with the prefix.</summary>
    internal static void Sweep(Connection connection)
    {
        foreach (var domain in connection.ListDomains())
        {
            using (domain)
            {
                if (domain.Name.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    if (domain.IsActive)
                    {
                        domain.Destroy();
                    }

                    domain.Undefine(DomainUndefineFlags.Nvram);
                }
            }
        }

        foreach (var network in connection.ListNetworks())
        {
            using (network)
            {
                if (network.Name.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    if (network.IsActive)
                    {
                        network.Destroy();
                    }

                    network.Undefine();
                }
            }
        }

        foreach (var pool in connection.ListStoragePools())
        {
            using (pool)
            {
                if (pool.Name.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    RemovePool(pool);
                }
            }
        }
    }

    internal static void RemovePool(StoragePool pool)
    {
        if (!pool.IsActive)
        {
            pool.Create();
        }

        foreach (var volume in pool.ListVolumes())
        {
            using (volume)
            {
                volume.Delete();
            }
        }

        pool.Destroy();
        pool.Undefine();
        var directory = Path.Combine(ImagesDirectory, pool.Name);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LibvirtdTestGroup : ICollectionFixture<LibvirtdFixture>
{
    public const string Name = "Libvirtd";
}
