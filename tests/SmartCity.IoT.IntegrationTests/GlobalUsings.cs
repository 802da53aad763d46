global using SmartCity.IoT.Testing;
