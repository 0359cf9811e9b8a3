using System.Xml.Linq;
using Vhpc.Libvirt.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.TestDriver;

[Tier(TestTier.Unit)]
public sealed class StorageTests
{
    [Fact]
    public void Pool_define_build_autostart_create_list_refresh_destroy_undefine()
    {
        var connection = TestDriverConnection.Open();
        string name = Names.Unique("pool");
        using (StoragePool pool = connection.DefineStoragePool(Xml.DirPool(name, $"/nonexistent/{name}")))
        {
            Assert.Equal(name, pool.Name);
            Assert.False(pool.IsActive);
            pool.Build();
            pool.SetAutostart(true);
            Assert.True(pool.Autostart);
            pool.Create();
            Assert.True(pool.IsActive);
            pool.Refresh();

            using StoragePool found = connection.LookupStoragePool(name)!;
            Assert.Equal(pool.Uuid, found.Uuid);
            IReadOnlyList<StoragePool> all = connection.ListStoragePools();
            Assert.Contains(all, p => p.Name == name);
            foreach (StoragePool p in all)
            {
                p.Dispose();
            }

            XElement xml = XElement.Parse(pool.GetXml());
            Assert.Equal("dir", (string?)xml.Attribute("type"));
            Assert.Equal($"/nonexistent/{name}", (string?)xml.Element("target")!.Element("path"));

            pool.Destroy();
            pool.Undefine();
        }

        Assert.Null(connection.LookupStoragePool(name));
        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Volume_create_lookup_info_path_list_delete_and_duplicate_fails()
    {
        var connection = TestDriverConnection.Open();
        string poolName = Names.Unique("vpool");
        using (StoragePool pool = connection.DefineStoragePool(Xml.DirPool(poolName, $"/nonexistent/{poolName}")))
        {
            pool.Create();
            string name = Names.Unique("vol") + ".img";
            using (StorageVolume volume = pool.CreateVolume(Xml.Volume(name, 1 << 20)))
            {
                Assert.Equal(name, volume.Name);
                Assert.Equal($"/nonexistent/{poolName}/{name}", volume.Path);
                Assert.Equal(volume.Path, volume.Key);
                StorageVolumeInfo info = volume.GetInfo();
                Assert.Equal(StorageVolumeType.File, info.Type);
                Assert.Equal(1UL << 20, info.Capacity);

                using StorageVolume found = pool.LookupVolume(name)!;
                Assert.Equal(volume.Key, found.Key);
                IReadOnlyList<StorageVolume> volumes = pool.ListVolumes();
                Assert.Contains(volumes, v => v.Name == name);
                foreach (StorageVolume v in volumes)
                {
                    v.Dispose();
                }

                Assert.Equal(name, (string?)XElement.Parse(volume.GetXml()).Element("name"));

                // The test driver says OPERATION_FAILED here; the real storage driver's 90 is checked in Libvirtd/.
                var error = Assert.Throws<LibvirtException>(() => pool.CreateVolume(Xml.Volume(name, 1 << 20)));
                Assert.Contains("already", error.Message, StringComparison.Ordinal);

                volume.Delete();
            }

            Assert.Null(pool.LookupVolume(name));
            pool.Destroy();
            pool.Undefine();
        }

        Assert.Equal(0, connection.Close());
    }
}
