using System.Collections.Concurrent;
using System.Net;
using System.Xml.Linq;
using Vhpc.Libvirt.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.Libvirtd;

/// <summary>A real (tiny) guest under TCG: lifecycle events, DHCP leases and interface addresses.</summary>
[Collection(LibvirtdTestGroup.Name)]
[Tier(TestTier.Guests)]
public sealed class GuestLibvirtdTests(LibvirtdFixture fixture)
{
    private const string Mac = "52:54:00:20:1e:01";
    private static readonly TimeSpan EventPatience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LeasePatience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Lifecycle_events_leases_and_interface_addresses_of_a_booting_guest()
    {
        var name = LibvirtdFixture.Prefix + "guest";
        var poolName = LibvirtdFixture.Prefix + "guest";
        var directory = Path.Combine(LibvirtdFixture.ImagesDirectory, poolName);
        var networkName = LibvirtdFixture.Prefix + "gnet";
        var consoleLog = TinyGuest.ConsoleLogPath(name);
        using var guest = new TinyGuest();

        using var connection = Connection.Open(LibvirtdFixture.Uri);
        var events = new BlockingCollection<DomainLifecycleEvent>();
        var subscription = connection.SubscribeDomainLifecycle(e =>
        {
            if (e.DomainName == name)
            {
                events.Add(e);
            }
        });

        // A dir pool of its own, defined, built and started like vhpcd's.
        var pool = connection.DefineStoragePool(Xml.DirPool(poolName, directory));
        Network? network = null;
        Domain? domain = null;
        try
        {
            pool.Build();
            pool.Create();
            network = connection.DefineNetwork(Xml.NatNetwork(networkName, "vtbt2", "10.201.2"));
            network.Create();

            domain = connection.DefineDomain(guest.DomainXml(name, networkName, Mac, "dhcp", hostname: "vtbguest"));
            Next(events, DomainLifecycleEventType.Defined);

            const string Ns = "https://vhpc.example/test";
            domain.SetMetadata(DomainMetadataType.Element, new XElement("owner", "binding-tests").ToString(), "vt", Ns,
                DomainModificationImpact.Config);
            Assert.Equal("binding-tests", (string)XElement.Parse(domain.GetMetadata(DomainMetadataType.Element, Ns)!));

            domain.Create();
            Next(events, DomainLifecycleEventType.Started);
            Assert.Equal(DomainState.Running, domain.GetState());

            var lease = await WaitForLease(network, domain, consoleLog);
            Assert.Equal(IPAddressType.IPv4, lease.Type);
            Assert.Equal("vtbt2", lease.Interface);
            Assert.Equal(24, lease.Prefix);
            Assert.Equal("vtbguest", lease.Hostname);
            Assert.Equal("10.201.2", string.Join('.', lease.IPAddress.ToString().Split('.')[..3]));
            Assert.True(lease.ExpiryTime > DateTimeOffset.UtcNow, $"lease expires {lease.ExpiryTime}");

            var nic = Assert.Single(domain.GetInterfaceAddresses(InterfaceAddressSource.Lease));
            Assert.Equal(Mac, nic.HardwareAddress, ignoreCase: true);
            var address = Assert.Single(nic.Addresses);
            Assert.Equal(lease.IPAddress, address.Address);
            Assert.Equal(24, address.Prefix);

            // The ARP table may or may not know the guest yet; whatever it reports must be this NIC.
            // libvirt 9.0's netlink ARP reader fails on this kernel with "wrong nlmsg len" (seen here):
            // that must arrive as libvirt's error, which is what the catch accepts, and nothing else.
            try
            {
                Assert.All(domain.GetInterfaceAddresses(InterfaceAddressSource.Arp),
                    arp => Assert.Equal(Mac, arp.HardwareAddress, ignoreCase: true));
            }
            catch (LibvirtException arpError) when (arpError.Code == ErrorCode.InternalError
                && arpError.Message.Contains("nlmsg", StringComparison.Ordinal))
            {
            }

            // No guest agent channel: the agent source must fail with libvirt's error, not crash or hang.
            var agent = Assert.Throws<LibvirtException>(() => domain.GetInterfaceAddresses(InterfaceAddressSource.Agent));
            Assert.Contains("agent", agent.Message, StringComparison.OrdinalIgnoreCase);

            domain.Destroy();
            var stopped = Next(events, DomainLifecycleEventType.Stopped);
            Assert.Equal(1, stopped.Detail); // VIR_DOMAIN_EVENT_STOPPED_DESTROYED
            Assert.Equal(DomainState.Shutoff, domain.GetState());

            domain.Undefine();
            Next(events, DomainLifecycleEventType.Undefined);
        }
        finally
        {
            subscription.Dispose();
            if (domain is not null)
            {
                if (fixture.Connection.LookupDomain(name) is { } stillThere)
                {
                    using (stillThere)
                    {
                        if (stillThere.IsActive)
                        {
                            stillThere.Destroy();
                        }

                        stillThere.Undefine();
                    }
                }

                domain.Dispose();
            }

            if (network is not null)
            {
                if (network.IsActive)
                {
                    network.Destroy();
                }

                network.Undefine();
                network.Dispose();
            }

            LibvirtdFixture.RemovePool(pool);
            pool.Dispose();
        }

        Assert.Equal(0, connection.Close());
    }

    private static DomainLifecycleEvent Next(BlockingCollection<DomainLifecycleEvent> events, DomainLifecycleEventType expected)
    {
        // qemu reports more than the test waits for (Resumed around a start, Shutdown before Stopped on destroy):
        // skip those, but nothing of the later stages may come first.
        var skipped = new List<DomainLifecycleEventType>();
        while (events.TryTake(out var e, EventPatience))
        {
            if (e.Event == expected)
            {
                return e;
            }

            Assert.True(e.Event is DomainLifecycleEventType.Resumed or DomainLifecycleEventType.Suspended
                or DomainLifecycleEventType.Shutdown, $"{e.Event} arrived while waiting for {expected}");
            skipped.Add(e.Event);
        }

        throw new TimeoutException($"no {expected} event within {EventPatience} (saw {string.Join(",", skipped)})");
    }

    private static async Task<DhcpLease> WaitForLease(Network network, Domain domain, string consoleLog)
    {
        var deadline = DateTime.UtcNow + LeasePatience;
        while (DateTime.UtcNow < deadline)
        {
            // A MAC may have stale leases: the newest expiry is the current one.
            var lease = network.GetDhcpLeases(Mac).MaxBy(l => l.ExpiryTime);
            if (lease is not null)
            {
                return lease;
            }

            if (!domain.IsActive)
            {
                break;
            }

            await Task.Delay(250);
        }

        var console = File.Exists(consoleLog) ? await File.ReadAllTextAsync(consoleLog) : "(no console log)";
        throw new TimeoutException($"no DHCP lease for {Mac} (domain {domain.GetState()}); console:\n{console[^Math.Min(console.Length, 3000)..]}");
    }
}
