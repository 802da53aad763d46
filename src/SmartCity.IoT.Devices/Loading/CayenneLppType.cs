namespace SmartCity.IoT.Devices.Loading;

/// <summary>One Cayenne LPP data type: its type byte (IPSO object id - 3200), its size and how each of its values is read.</summary>
internal sealed record CayenneLppType(byte Code, string Name, int Length, IReadOnlyList<CayenneLppPart> Parts, bool Extended);

/// <summary>One value of an LPP type: <see cref="Length"/> big-endian bytes at <see cref="Offset"/>, times <see cref="Scale"/>, in <see cref="Unit"/> (null: the profile says).</summary>
internal sealed record CayenneLppPart(string Name, int Offset, int Length, bool Signed, double Scale, string? Unit);
