using Vhpc.Libvirt.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.TestDriver;

[Tier(TestTier.Unit)]
public sealed class ErrorMappingTests
{
    [Fact]
    public void Lookups_of_missing_objects_return_null()
    {
        var connection = TestDriverConnection.Open();
        Assert.Null(connection.LookupDomain("vtb-missing"));
        Assert.Null(connection.LookupNetwork("vtb-missing"));
        Assert.Null(connection.LookupStoragePool("vtb-missing"));
        using (var pool = connection.LookupStoragePool("default-pool")!)
        {
            Assert.Null(pool.LookupVolume("vtb-missing"));
        }

        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void A_vanished_domain_gives_the_not_found_code_domain_and_message()
    {
        var connection = TestDriverConnection.Open();
        var name = Names.Unique("gone");
        using (var domain = connection.DefineDomain(Xml.TestDomain(name)))
        {
            domain.Undefine();

            // The handle outlives the definition; using it now is libvirt's "no domain".
            var error = Assert.Throws<LibvirtException>(domain.Create);
            Assert.Equal(ErrorCode.NoDomain, error.Code);
            Assert.Equal(ErrorDomain.Test, error.Domain);
            Assert.True(error.IsNotFound);
            Assert.False(error.IsConnectionLost);
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Errors_are_read_on_the_failing_thread_not_leaked_to_others()
    {
        var connection = TestDriverConnection.Open();
        using (var domain = connection.DefineDomain(Xml.TestDomain(Names.Unique("thr"))))
        {
            // Fail on many threads at once with different errors; each must see its own.
            Parallel.For(0, 64, i =>
            {
                if (i % 2 == 0)
                {
                    var error = Assert.Throws<LibvirtException>(domain.Destroy);
                    Assert.Equal(ErrorCode.OperationInvalid, error.Code);
                }
                else
                {
                    var error = Assert.Throws<LibvirtException>(() => connection.DefineDomain("<nope"));
                    Assert.Equal(ErrorCode.XmlDetail, error.Code);
                }
            });
            domain.Undefine();
        }

        Assert.Equal(0, connection.Close());
    }

    [Theory]
    [InlineData(ErrorCode.NoDomain, true)]
    [InlineData(ErrorCode.NoNetwork, true)]
    [InlineData(ErrorCode.NoStoragePool, true)]
    [InlineData(ErrorCode.NoStorageVol, true)]
    [InlineData(ErrorCode.NoDomainMetadata, false)]
    [InlineData(ErrorCode.OperationInvalid, false)]
    public void IsNotFound_covers_domain_network_pool_and_volume(ErrorCode code, bool expected) =>
        Assert.Equal(expected, new LibvirtException(code, ErrorDomain.None, ErrorLevel.Error, "m", null).IsNotFound);

    [Fact]
    public void Error_codes_carry_libvirts_numbers()
    {
        Assert.Equal(38, (int)ErrorCode.SystemError);
        Assert.Equal(39, (int)ErrorCode.Rpc);
        Assert.Equal(42, (int)ErrorCode.NoDomain);
        Assert.Equal(43, (int)ErrorCode.NoNetwork);
        Assert.Equal(49, (int)ErrorCode.NoStoragePool);
        Assert.Equal(50, (int)ErrorCode.NoStorageVol);
        Assert.Equal(55, (int)ErrorCode.OperationInvalid);
        Assert.Equal(68, (int)ErrorCode.OperationTimeout);
        Assert.Equal(86, (int)ErrorCode.AgentUnresponsive);
        Assert.Equal(90, (int)ErrorCode.StorageVolExist);
        Assert.Equal(7, (int)ErrorDomain.Rpc);
    }

    [Fact]
    public void Connection_lost_is_recognised_from_rpc_errors()
    {
        Assert.True(new LibvirtException(ErrorCode.SystemError, ErrorDomain.Rpc, ErrorLevel.Error, "Cannot recv data", null).IsConnectionLost);
        Assert.True(new LibvirtException(ErrorCode.InternalError, ErrorDomain.Rpc, ErrorLevel.Error, "client socket is closed", null).IsConnectionLost);
        Assert.True(new LibvirtException(ErrorCode.InvalidConn, ErrorDomain.None, ErrorLevel.Error, "invalid connection pointer", null).IsConnectionLost);
        Assert.False(new LibvirtException(ErrorCode.SystemError, ErrorDomain.Storage, ErrorLevel.Error, "disk full", null).IsConnectionLost);
    }
}
