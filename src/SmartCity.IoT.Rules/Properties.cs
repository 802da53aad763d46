using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SmartCity.IoT.Rules.Tests")]
[assembly: InternalsVisibleTo("SmartCity.IoT.Benchmarks")]
