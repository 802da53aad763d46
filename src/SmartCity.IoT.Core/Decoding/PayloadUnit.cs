using System.Text;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>A unit a payload may name for a field, with its conversion into the vocabulary's unit (canonical = value * Factor + Offset).</summary>
public sealed class PayloadUnit(string name, double factor, double offset)
{
    public string Name { get; } = name;

    public byte[] NameUtf8 { get; } = Encoding.UTF8.GetBytes(name);

    public double Factor { get; } = factor;

    public double Offset { get; } = offset;
}
