// BenchmarkDotNet's switcher picks benchmarks by --filter (e.g. '*BindingBenchmarks*').
BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Vhpc.Benchmarks.BindingBenchmarks).Assembly).Run(args);
return 0;
