using Vhpc.Libvirt.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.TestDriver;

[Tier(TestTier.Unit)]
public sealed class ParallelUseTests
{
    [Fact]
    public void Eight_threads_define_and_undefine_hundreds_of_domains_on_one_connection_without_leaks()
    {
        const int Threads = 8;
        const int PerThread = 50;
        var connection = TestDriverConnection.Open();
        var prefix = Names.Unique("par");

        var threads = new Thread[Threads];
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        for (var t = 0; t < Threads; t++)
        {
            var thread = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    for (var i = 0; i < PerThread; i++)
                    {
                        var name = $"{prefix}-{thread}-{i}";
                        using var domain = connection.DefineDomain(Xml.TestDomain(name));
                        Assert.Equal(name, domain.Name);
                        domain.Create();
                        using (var found = connection.LookupDomain(name)!)
                        {
                            Assert.True(found.IsActive);
                        }

                        domain.Destroy();
                        domain.Undefine();
                        Assert.Null(connection.LookupDomain(name));
                    }
                }
                catch (Exception ex)
                {
                    failures.Enqueue(ex);
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Empty(failures);
        var left = connection.ListDomains();
        Assert.DoesNotContain(left, d => d.Name.StartsWith(prefix, StringComparison.Ordinal));
        foreach (var d in left)
        {
            d.Dispose();
        }

        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Eight_threads_each_with_its_own_connection_close_every_one_cleanly()
    {
        var results = new int[8];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            var connection = TestDriverConnection.Open();
            for (var i = 0; i < 25; i++)
            {
                using var domain = connection.DefineDomain(Xml.TestDomain(Names.Unique("pc")));
                domain.Undefine();
            }

            results[t] = connection.Close();
        });
        Assert.All(results, r => Assert.Equal(0, r));
    }
}
