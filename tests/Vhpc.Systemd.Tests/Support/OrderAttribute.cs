using Xunit.Abstractions;
using Xunit.Sdk;

namespace Vhpc.Systemd.Tests.Support;

/// <summary>Where a test runs in the tier's sequence (the tests share one container and build on each other's state).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OrderAttribute(int position) : Attribute
{
    public int Position { get; } = position;
}

/// <summary>Runs a class's tests by their <see cref="OrderAttribute"/>.</summary>
public sealed class ByOrder : ITestCaseOrderer
{
    public const string TypeName = "Vhpc.Systemd.Tests.Support.ByOrder";
    public const string AssemblyName = "Vhpc.Systemd.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.GetCustomAttributes(typeof(OrderAttribute).AssemblyQualifiedName)
            .Select(a => (int)a.GetConstructorArguments().First())
            .DefaultIfEmpty(int.MaxValue)
            .First());
}
