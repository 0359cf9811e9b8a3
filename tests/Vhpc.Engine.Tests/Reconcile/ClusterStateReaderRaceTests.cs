using System.Xml.Linq;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Reconcile;

/// <summary>
/// A plan lists every domain of the host, then reads each one. Another cluster's destroy (or any other
/// libvirt client) may undefine a domain in between; CI saw a crash-test plan fail with "Domain not
/// found" for a domain of a concurrently running test. A vanished domain must simply not be there.
/// </summary>
[Tier(TestTier.Unit)]
[Collection(TestDriverState.Name)]
public sealed class ClusterStateReaderRaceTests
{
    [Fact]
    public async Task Domains_undefined_between_listing_and_reading_are_not_errors()
    {
        using var connection = Connection.Open("test:///default");
        using var stop = new CancellationTokenSource();
        var churned = 0;
        var churn = Task.Run(() =>
        {
            // Defines and undefines foreign domains as fast as libvirt allows, until told to stop.
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var domain = connection.DefineDomain(ForeignDomainXml($"vte-race-{i % 8}"));
                domain.Undefine(DomainUndefineFlags.None);
                churned++;
            }
        });

        var reads = 0;
        try
        {
            // Enough reads that some land between another thread's define and undefine.
            while (reads < 3000 || churned < 1000)
            {
                var domains = ClusterStateReader.ReadDomains(connection, "vte-race-cluster");
                Assert.Empty(domains);
                reads++;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await churn;
        }

        Assert.True(churned >= 1000, $"only {churned} domains churned during {reads} reads");
    }

    private static string ForeignDomainXml(string name) =>
        new XElement("domain", new XAttribute("type", "test"),
            new XElement("name", name),
            new XElement("memory", 65536),
            new XElement("os", new XElement("type", "hvm"))).ToString();
}
