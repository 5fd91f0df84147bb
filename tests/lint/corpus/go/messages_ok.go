package main

import "fmt"

func main() {
	fmt.Println("InsecureSkipVerify: true is not allowed in this repository")
}
