// Command cityops runs the cityops platform; see the README for its subcommands.
package main

func main() {}
