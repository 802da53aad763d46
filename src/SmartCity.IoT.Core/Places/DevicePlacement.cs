using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Places;

/// <summary>Where one model put one device, kept on the device so the next reading asks nothing.</summary>
internal sealed record DevicePlacement(BuildingModel Model, Place? Place, Tag[] Tags);
